// TextData: the split is a seeded partition of 4 KiB blocks; batches are keyed by (seed, step).
#include "train/text_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "test_models.h"
#include "util/error.h"

namespace lowp {
namespace {

// A corpus whose 4 KiB blocks are recognisable: block b is the letter 'a' + b % 26 repeated,
// each line ending in '\n'.
std::string block_corpus(int blocks) {
  std::string s;
  for (int b = 0; b < blocks; ++b) {
    std::string block(TextData::kBlock, static_cast<char>('a' + b % 26));
    for (size_t i = 63; i < block.size(); i += 64) block[i] = '\n';
    s += block;
  }
  return s;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string p = testing::scratch_dir() + "/" + name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::vector<int32_t> all_val_tokens(TextData& d) {
  std::vector<int32_t> t;
  for (int64_t i = 0; i < d.val_batches(); ++i) {
    const Batch b = d.val_batch(i);
    t.insert(t.end(), b.tokens.begin(), b.tokens.end());
  }
  return t;
}

TEST(TextData, SplitIsASeededPartitionOfBlocks) {
  const std::string path = write("blocks.txt", block_corpus(26));
  TextData a(path, 2, 15, 7, 0.3, 100);
  EXPECT_EQ(a.train_bytes() + a.val_bytes(), 26 * TextData::kBlock);
  EXPECT_EQ(a.train_bytes() % TextData::kBlock, 0);
  // Which letters (blocks) went to validation: disjoint from training batches' letters.
  std::map<char, int> val_letters;
  for (int32_t t : all_val_tokens(a))
    if (t != '\n') ++val_letters[static_cast<char>(t)];
  for (int64_t s = 0; s < 200; ++s)
    for (int32_t t : a.train_batch(s).tokens) {
      if (t != '\n') {
        ASSERT_EQ(val_letters.count(static_cast<char>(t)), 0u) << "step " << s;
      }
    }
  // Same seed, same split and batches; another seed, another split.
  TextData b(path, 2, 15, 7, 0.3, 100);
  EXPECT_EQ(all_val_tokens(a), all_val_tokens(b));
  EXPECT_EQ(a.train_batch(17).tokens, b.train_batch(17).tokens);
  TextData c(path, 2, 15, 8, 0.3, 100);
  EXPECT_NE(all_val_tokens(a), all_val_tokens(c));
  EXPECT_NE(a.train_batch(17).tokens, c.train_batch(17).tokens);
}

TEST(TextData, SplitFractionIsAboutRight) {
  const std::string path = testing::write_text_file("big.txt", 1000 * TextData::kBlock, 1);
  TextData d(path, 4, 64, 3, 0.1, 8);
  const double frac = static_cast<double>(d.val_bytes()) / (d.val_bytes() + d.train_bytes());
  // 1000 Bernoulli(0.1) blocks: standard deviation 0.0095; allow 5 of them.
  EXPECT_NEAR(frac, 0.1, 0.0475);
}

TEST(TextData, BatchesAreWindowsWithShiftedTargetsInAnyOrder) {
  const std::string path = testing::write_text_file("win.txt", 64 * TextData::kBlock, 2);
  TextData d(path, 3, 20, 11, 0.2, 4);
  const Batch late = d.train_batch(9);  // drawn before the earlier steps
  for (int64_t s = 0; s < 9; ++s) d.train_batch(s);
  EXPECT_EQ(d.train_batch(9).tokens, late.tokens);
  EXPECT_EQ(late.B, 3);
  EXPECT_EQ(late.T, 20);
  ASSERT_EQ(late.tokens.size(), 3u * 21u);
  // Rows of one batch come from different positions.
  EXPECT_NE(std::vector<int32_t>(late.tokens.begin(), late.tokens.begin() + 21),
            std::vector<int32_t>(late.tokens.begin() + 21, late.tokens.begin() + 42));
  EXPECT_EQ(d.val_batches(), 4);
  const Batch v0 = d.val_batch(0), v1 = d.val_batch(1);
  EXPECT_NE(v0.tokens, v1.tokens);
  EXPECT_THROW(d.val_batch(4), Error);
}

TEST(TextData, ValidationBatchesAreCappedByTheSplit) {
  const std::string path = write("small.txt", block_corpus(8));
  TextData d(path, 4, 31, 1, 0.25, 1000);
  EXPECT_EQ(d.val_batches(), d.val_bytes() / (4 * 32));
}

TEST(TextData, BadFilesSayWhatToDo) {
  auto msg = [](const std::string& path, int seq = 15) {
    try {
      TextData d(path, 2, seq, 1, 0.3, 4);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg(testing::scratch_dir() + "/absent.txt").find("cannot open"), std::string::npos);
  EXPECT_NE(msg(write("empty.txt", "")).find("is empty"), std::string::npos);
  std::string latin1 = block_corpus(4);
  latin1[5000] = static_cast<char>(0xE9);  // 'é' in Latin-1: not UTF-8
  EXPECT_NE(msg(write("latin1.txt", latin1)).find("malformed byte sequence at offset 5000"),
            std::string::npos);
  EXPECT_NE(msg(write("tiny.txt", block_corpus(2)), 5000).find("too few"), std::string::npos);
}

TEST(TextData, Utf8Validation) {
  auto ok = [](const std::string& s) {
    try {
      check_utf8(std::vector<uint8_t>(s.begin(), s.end()), "x");
      return true;
    } catch (const Error&) {
      return false;
    }
  };
  EXPECT_TRUE(ok("plain ascii\n"));
  EXPECT_TRUE(ok("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // 2, 3 and 4-byte forms
  EXPECT_FALSE(ok("\xC3"));                                      // truncated
  EXPECT_FALSE(ok("\xC0\xAF"));                                  // overlong '/'
  EXPECT_FALSE(ok("\xED\xA0\x80"));                              // surrogate
  EXPECT_FALSE(ok("\xF4\x90\x80\x80"));                          // beyond U+10FFFF
  EXPECT_FALSE(ok("\x80"));                                      // lone continuation
}

}  // namespace
}  // namespace lowp
