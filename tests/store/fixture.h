// Shared by the store tests: a fresh database path in the test's scratch folder and a minimal
// run record.
#pragma once

#include <filesystem>
#include <string>

#include "store/store.h"
#include "tests/common/scratch.h"

namespace lowp::test {

// `name` in the scratch folder, with no database, WAL or shared-memory file left from before.
inline std::string fresh_db(const std::string& name) {
  const auto p = std::filesystem::path(testing::scratch_dir()) / name;
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + ext);
  return p.string();
}

// An fp32 run record with one config column (lr 0.1).
inline RunRecord minimal_record(const std::string& uid) {
  RunRecord r;
  r.uid = uid;
  r.command = "lowp train";
  r.code_version = "test";
  r.config_json = "{}";
  r.recipe_name = "fp32";
  r.recipe_json = "{}";
  r.config = {{"lr", 0.1}};
  return r;
}

}  // namespace lowp::test
