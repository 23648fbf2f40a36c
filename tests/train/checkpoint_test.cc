// Checkpoint files: round trip, corruption and mismatch detection, latest-step lookup.
#include "train/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_models.h"
#include "util/error.h"

namespace lowp {
namespace {

std::string fresh_dir(const std::string& name) {
  const std::string p = testing::scratch_dir() + "/" + name;
  std::filesystem::remove_all(p);
  return p;
}

struct Tensors {
  std::vector<float> a{1.5f, -2.0f, 3.25f}, b{0.5f}, m{0.1f, 0.2f, 0.3f};
  std::vector<float> ga{0, 0, 0}, gb{0};
  std::vector<Param> params{{"a", {3}, 3, a.data(), ga.data()}, {"b", {1}, 1, b.data(), gb.data()}};
  std::vector<StateTensor> state{{"adam.m/a", m.data(), 3}};
};

CheckpointMeta meta(int64_t step) {
  return {"uid123", step, "{\"lr\":0.1}", "{\"name\":\"fp32\"}", "v1", 5.5};
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Checkpoint, RoundTripRestoresEveryBit) {
  const std::string dir = fresh_dir("ck_roundtrip");
  Tensors t;
  t.a[0] = std::bit_cast<float>(0x7FC00123u);  // a NaN payload survives too
  const std::string path = save_checkpoint(dir, meta(7), t.params, t.state);
  EXPECT_EQ(path, dir + "/ckpt-7.bin");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}),
            1);  // no temporary file left behind
  Tensors u;
  u.a = {0, 0, 0}, u.b = {0}, u.m = {0, 0, 0};
  const CheckpointMeta m = load_checkpoint(path, u.params, &u.state);
  EXPECT_EQ(m.uid, "uid123");
  EXPECT_EQ(m.step, 7);
  EXPECT_EQ(m.config_json, "{\"lr\":0.1}");
  EXPECT_EQ(m.initial_loss, 5.5);
  EXPECT_EQ(std::bit_cast<uint32_t>(u.a[0]), 0x7FC00123u);
  EXPECT_EQ(u.a[2], 3.25f);
  EXPECT_EQ(u.b[0], 0.5f);
  EXPECT_EQ(u.m, t.m);
}

TEST(Checkpoint, CorruptionAndMismatchAreCaught) {
  const std::string dir = fresh_dir("ck_corrupt");
  Tensors t;
  const std::string path = save_checkpoint(dir, meta(3), t.params, t.state);
  const auto size = std::filesystem::file_size(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 20));
    f.put('\x55');
  }
  EXPECT_NE(error_of([&] { read_checkpoint_meta(path); }).find("checksum mismatch"),
            std::string::npos);
  save_checkpoint(dir, meta(3), t.params, t.state);
  std::filesystem::resize_file(path, size - 3);
  EXPECT_NE(error_of([&] { read_checkpoint_meta(path); }).find("corrupt"), std::string::npos);
  save_checkpoint(dir, meta(3), t.params, t.state);
  Tensors other;
  other.params[1].name = "c";
  EXPECT_NE(
      error_of([&] { load_checkpoint(path, other.params, nullptr); }).find("no tensor 'param/c'"),
      std::string::npos);
  Tensors longer;
  longer.params[0].size = 2;
  EXPECT_NE(error_of([&] { load_checkpoint(path, longer.params, nullptr); }).find("has 3 elements"),
            std::string::npos);
  std::ofstream(dir + "/junk.bin") << "hello";
  EXPECT_NE(
      error_of([&] { read_checkpoint_meta(dir + "/junk.bin"); }).find("not a lowp checkpoint"),
      std::string::npos);
}

TEST(Checkpoint, LatestIsTheHighestStepNumerically) {
  const std::string dir = fresh_dir("ck_latest");
  EXPECT_EQ(latest_checkpoint(dir), "");  // no directory yet
  Tensors t;
  for (int64_t s : {9, 10, 2}) save_checkpoint(dir, meta(s), t.params, t.state);
  std::ofstream(dir + "/ckpt-99.bin.tmp123") << "partial";
  std::ofstream(dir + "/ckpt-x.bin") << "junk";
  EXPECT_EQ(latest_checkpoint(dir), dir + "/ckpt-10.bin");
}

}  // namespace
}  // namespace lowp
