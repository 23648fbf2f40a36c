// The config field table: names, text round trips, files, JSON, checks, columns, commands.
#include "train/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>

#include "test_models.h"
#include "util/error.h"

namespace lowp {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string write(const std::string& name, const std::string& text) {
  const std::string p = testing::scratch_dir() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

TEST(Config, FieldNamesAreUniqueSnakeCase) {
  std::set<std::string> names;
  for (const auto& f : train_fields()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_EQ(std::string(f.name).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"),
              std::string::npos)
        << f.name;
    EXPECT_NE(f.flags & kAnyModel, 0u) << f.name;
    EXPECT_GT(std::string(f.help).size(), 5u) << f.name;
  }
  EXPECT_EQ(flag_name(train_fields()[3]), "--d-model");
}

TEST(Config, TextRoundTripOfEveryField) {
  TrainConfig c;
  c.schedule.lr = 0.1 + 0.2;  // not a short decimal: needs shortest round-trip printing
  c.seed = 1ull << 62;
  c.model.tied_embeddings = false;
  for (const auto& f : train_fields()) {
    TrainConfig d;
    set_field(f, d, field_text(f, c));
    EXPECT_EQ(field_text(f, d), field_text(f, c)) << f.name;
  }
  EXPECT_EQ(config_to_json(config_from_json(config_to_json(c))), config_to_json(c));
  TrainConfig back;
  const std::string toml = write("roundtrip.toml", config_to_toml(c));
  load_config_file(back, toml);
  EXPECT_EQ(config_to_json(back), config_to_json(c));
}

TEST(Config, FileKeysInEitherCaseAndTypeChecks) {
  TrainConfig c;
  load_config_file(c, write("ok.toml",
                            "d-model = 128\nlr = 3e-4\nwarmup = 10\nrecipe = \"mxfp4\"\n"
                            "tied_embeddings = false\nweight_decay = 1\n"));
  EXPECT_EQ(c.model.d_model, 128);
  EXPECT_EQ(c.schedule.lr, 3e-4);
  EXPECT_EQ(c.schedule.warmup, 10);
  EXPECT_EQ(c.recipe, "mxfp4");
  EXPECT_FALSE(c.model.tied_embeddings);
  EXPECT_EQ(c.optim.weight_decay, 1.0);  // an integer is a fine double
  load_config_file(c, write("ok.json", "{\"steps\": 77, \"data\": \"x.txt\", \"d_model\": 8}"));
  EXPECT_EQ(c.steps, 77);
  EXPECT_EQ(c.data, "x.txt");
  EXPECT_EQ(c.model.d_model, 8);
  EXPECT_EQ(c.schedule.lr, 3e-4);  // kept from the first file
  auto bad = [&](const std::string& text) {
    TrainConfig d;
    return error_of([&] { load_config_file(d, write("bad.toml", text)); });
  };
  EXPECT_NE(bad("lr = \"fast\"\n").find("'lr' needs a number"), std::string::npos);
  EXPECT_NE(bad("layers = 2.5\n").find("'layers' needs an integer"), std::string::npos);
  EXPECT_NE(bad("seed = -1\n").find("'seed' = -1: must be a non-negative integer"),
            std::string::npos);
  EXPECT_NE(bad("learning_rate = 1\n").find("unknown key 'learning_rate'"), std::string::npos);
  EXPECT_NE(bad("lr = \n").find("bad.toml:1:"), std::string::npos);
  EXPECT_NE(bad("{\"lr\": }").find("invalid JSON"), std::string::npos);
  TrainConfig d;
  EXPECT_NE(error_of([&] {
              load_config_file(d, testing::scratch_dir() + "/nope.toml");
            }).find("nope.toml"),
            std::string::npos);
}

// Found by fuzz/run_config_fuzz: a JSON number beyond double's range ({"steps": 71e3007}) made
// nlohmann throw out_of_range, which escaped `lowp train --config` as an uncaught exception.
TEST(Config, JsonNumberBeyondDoubleIsInvalidJson) {
  TrainConfig c;
  const std::string e =
      error_of([&] { load_config_file(c, write("big.json", "{\"steps\": 71e3007}")); });
  EXPECT_NE(e.find("big.json: invalid JSON"), std::string::npos) << e;
  EXPECT_NE(error_of([] { config_from_json("{\"lr\": -1e400}"); }).find("not valid JSON"),
            std::string::npos);
}

// Broke fuzz/run_config_fuzz's TOML round trip (inputs written by hand for the property):
// config_to_toml (`lowp train --print-config`) wrote a double such as 12345678901234567000 as
// integer text TOML cannot hold, and a DEL in a string raw (TOML requires it escaped); either
// made the printed config unreadable.
TEST(Config, PrintedTomlReadsBackLargeDoublesAndControlCharacters) {
  TrainConfig c;
  c.schedule.lr = 12345678901234567e3;
  c.optim.eps = 5;  // prints as 5.0, a TOML float
  c.data = std::string("a\x7f\x01\"\\b");
  const std::string toml = config_to_toml(c);
  EXPECT_NE(toml.find("eps = 5.0\n"), std::string::npos) << toml;
  TrainConfig back;
  load_config_file(back, write("printed.toml", toml));
  EXPECT_EQ(back.schedule.lr, c.schedule.lr);
  EXPECT_EQ(back.optim.eps, 5.0);
  EXPECT_EQ(back.data, c.data);
  EXPECT_EQ(config_to_json(back), config_to_json(c));
}

// Every integer option parses through one parser: negative values for unsigned options and
// values out of the option's range are errors quoting what was typed (a negative --seed was
// wrapped around to 2^64 - 5).
TEST(Config, IntegerOptionsRejectWhatTheyCannotHold) {
  int integers = 0;
  for (const auto& f : train_fields()) {
    std::visit(
        [&](auto get) {
          using T = std::remove_reference_t<decltype(get(std::declval<TrainConfig&>()))>;
          if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            ++integers;
            TrainConfig c;
            const std::string before = field_text(f, c);
            auto err = [&](const std::string& text) {
              return error_of([&] { set_field(f, c, text); });
            };
            const std::string flag = flag_name(f);
            if (std::is_unsigned_v<T>) {
              EXPECT_EQ(err("-5"), flag + " -5: must be a non-negative integer");
            } else {
              EXPECT_EQ(err("-5"), "") << flag;  // a range check (check_config) may refuse it
              EXPECT_EQ(field_text(f, c), "-5");
            }
            const std::string big = "99999999999999999999999";
            EXPECT_EQ(err(big), flag + " " + big + ": must be an integer from " +
                                    std::to_string(std::numeric_limits<T>::min()) + " to " +
                                    std::to_string(std::numeric_limits<T>::max()));
            EXPECT_EQ(err("1.5").find(flag + " 1.5: must be a"), 0u) << err("1.5");
            EXPECT_EQ(err(""), flag + " '': must be " +
                                   (std::is_unsigned_v<T> ? "a non-negative " : "an ") + "integer");
            EXPECT_EQ(err("+7"), "");  // an explicit sign is fine
            EXPECT_EQ(field_text(f, c), "7");
          }
        },
        f.ref);
  }
  EXPECT_GE(integers, 20);
}

// A named size fills the dimensions its source leaves out; dimensions given explicitly win,
// and a size that no longer describes the model is cleared (models::resolve would otherwise
// put its dimensions back).
TEST(Config, ExplicitDimensionsWinOverANamedSize) {
  auto field = [](const char* name) {
    for (const auto& f : train_fields())
      if (std::string(f.name) == name) return &f;
    ADD_FAILURE() << name;
    return &train_fields()[0];
  };
  const TrainConfig defaults;
  // small: 4 layers, d 128, 2 heads, ffn 384, seq 256.
  TrainConfig c = layered_config(defaults, "", {{field("size"), "small"}});
  EXPECT_EQ(c.model.size, "small");
  EXPECT_EQ(c.model.layers, 4);
  EXPECT_EQ(c.model.d_model, 128);
  EXPECT_EQ(c.model.heads, 2);
  EXPECT_EQ(c.model.ffn, 384);
  EXPECT_EQ(c.model.seq, 256);

  c = layered_config(defaults, "",
                     {{field("layers"), "1"}, {field("size"), "small"}, {field("seq"), "32"}});
  EXPECT_EQ(c.model.size, "");
  EXPECT_EQ(c.model.layers, 1);
  EXPECT_EQ(c.model.seq, 32);
  EXPECT_EQ(c.model.d_model, 128);  // the rest from the size
  EXPECT_EQ(c.model.heads, 2);
  EXPECT_EQ(c.model.ffn, 384);
  // What effective_config makes of it (what runs and --print-config) keeps the explicit keys.
  const TrainConfig run = effective_config(c);
  EXPECT_EQ(run.model.layers, 1);
  EXPECT_EQ(run.model.seq, 32);

  // Giving a dimension equal to the size's keeps the size.
  c = layered_config(defaults, "", {{field("size"), "small"}, {field("heads"), "2"}});
  EXPECT_EQ(c.model.size, "small");

  // In a config file: the same rule within the file.
  const std::string file = write("sized.toml", "size = \"small\"\nheads = 4\n");
  c = layered_config(defaults, file, {});
  EXPECT_EQ(c.model.size, "");
  EXPECT_EQ(c.model.heads, 4);
  EXPECT_EQ(c.model.layers, 4);
  // Flags over the file: a dimension on the command line beats the file's size...
  c = layered_config(defaults, write("small.toml", "size = \"small\"\n"), {{field("layers"), "3"}});
  EXPECT_EQ(c.model.size, "");
  EXPECT_EQ(c.model.layers, 3);
  EXPECT_EQ(c.model.d_model, 128);
  // ... and a size on the command line beats the file's dimensions (a printed config, resized).
  c = layered_config(defaults, write("printed.toml", config_to_toml(defaults)),
                     {{field("size"), "base"}});
  EXPECT_EQ(c.model.size, "base");
  EXPECT_EQ(c.model.layers, 4);
  EXPECT_EQ(c.model.d_model, 256);
  EXPECT_EQ(c.model.ffn, 704);
  // An unknown size is left for the model's check to name.
  c = layered_config(defaults, "", {{field("size"), "huge"}});
  EXPECT_NE(error_of([&] { effective_config(c); }).find("unknown lm size 'huge'"),
            std::string::npos);
}

TEST(Config, ChecksNameTheFlag) {
  auto msg = [](auto mutate) {
    TrainConfig c;
    mutate(c);
    return error_of([&] { check_config(c); });
  };
  EXPECT_EQ(msg([](TrainConfig&) {}), "");
  EXPECT_NE(msg([](TrainConfig& c) { c.batch = 0; }).find("--batch 0"), std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.model.kind = "gpt"; }).find("--model gpt"),
            std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.model.vocab = 512; }).find("--vocab 256"),
            std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.checkpoint_every = 5; }).find("needs --out"),
            std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.resume = true; }).find("--resume needs --out"),
            std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.threads = 0; }).find("--threads 0"), std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.schedule.warmup = 5000; }).find("--warmup 5000"),
            std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.optim.beta1 = 1; }).find("--beta1"), std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.optim.name = "lion"; }).find("--optimizer lion"),
            std::string::npos);
  EXPECT_NE(msg([](TrainConfig& c) { c.val_fraction = 1; }).find("--val-fraction 1"),
            std::string::npos);
}

TEST(Config, ColumnsCoverEveryField) {
  const TrainConfig defaults;
  const auto cols = config_columns(defaults);
  ASSERT_EQ(cols.size(), train_fields().size() - 1);  // all but `study`
  EXPECT_EQ(cols[0].name, "model");
  EXPECT_EQ(std::get<std::string>(cols[0].value), "lm");
  for (const auto& c : cols) {
    if (c.name == "resume") {
      EXPECT_EQ(std::get<int64_t>(c.value), 0);
    }
  }
}

TEST(Config, ReproduceCommandListsWhatTheModelReads) {
  TrainConfig c;
  c.recipe = "my recipe.toml";
  c.out = "ck";
  c.resume = true;
  const std::string cmd = reproduce_command(c);
  EXPECT_EQ(cmd.rfind("lowp train --model lm ", 0), 0u) << cmd;
  EXPECT_NE(cmd.find(" --d-model 64 "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find(" --tied-embeddings "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find(" --recipe 'my recipe.toml' "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find(" --out ck "), std::string::npos) << cmd;
  EXPECT_EQ(cmd.find("--resume"), std::string::npos) << cmd;
  EXPECT_EQ(cmd.find("--width"), std::string::npos) << cmd;  // an mlp_teacher field
  EXPECT_EQ(cmd.find("--data"), std::string::npos) << cmd;   // empty: the bundled corpus
  c.model.kind = "linreg";
  c.model.tied_embeddings = false;
  const std::string lin = reproduce_command(c);
  EXPECT_NE(lin.find(" --sketch-dim 64 "), std::string::npos) << lin;
  EXPECT_EQ(lin.find("--d-model"), std::string::npos) << lin;
  c.model.kind = "lm";
  EXPECT_NE(reproduce_command(c).find(" --no-tied-embeddings "), std::string::npos);
}

TEST(Config, ResultDifferencesIgnoreRuntimeFields) {
  TrainConfig a, b;
  b.threads = 4, b.db = "x.db", b.eval_every = 7, b.study = "s";
  EXPECT_TRUE(result_differences(a, b).empty());
  b.seed = 2;
  const auto d = result_differences(a, b);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "--seed: '1' (checkpoint) vs '2' (now)");
}

}  // namespace
}  // namespace lowp
