// The format adapter: (Eb, Mb, Bs) of format strings, and law inputs built from formats.
#include "study/precision.h"

#include <gtest/gtest.h>

#include <cmath>

#include "study/inputs.h"
#include "util/error.h"

namespace lowp::study {
namespace {

void expect_precision(const char* text, double Eb, double Mb, double Bs, bool note) {
  const FormatPrecision fp = precision_of(text);
  EXPECT_EQ(fp.p.Eb, Eb) << text;
  EXPECT_EQ(fp.p.Mb, Mb) << text;
  EXPECT_DOUBLE_EQ(fp.p.Bs, Bs) << text;
  EXPECT_EQ(!bs_note(fp).empty(), note) << text;
}

TEST(Precision, FormatsGiveEbMbBs) {
  const double channel = std::exp2(kChannelLog2Bs);
  expect_precision("e4m3:block=128", 4, 3, 128, false);
  expect_precision("e2m1:block=128", 2, 1, 128, false);
  expect_precision("bf16:block=128", 8, 7, 128, false);
  expect_precision("mxfp4", 2, 1, 32, false);
  expect_precision("mxfp8_e5m2", 5, 2, 32, false);
  expect_precision("mxfp6_e3m2", 3, 2, 32, false);
  expect_precision("nvfp4", 2, 1, 16, false);   // ue4m3 block scales of 16
  expect_precision("mxint8", 0, 7, 32, false);  // INT-k is (0, k-1)
  expect_precision("int8:channel", 0, 7, channel, false);
  expect_precision("e4m3:channel", 4, 3, channel, false);
  expect_precision("e4m3:tile=16x16", 4, 3, 256, false);  // a 2D tile r x c has Bs = r*c
  expect_precision("e4m3:tile=128x128", 4, 3, 16384, false);
  // Lowp's documented assumption: per-tensor and unscaled take the channel-wise value.
  expect_precision("e4m3:tensor", 4, 3, channel, true);
  expect_precision("e4m3", 4, 3, channel, true);
  expect_precision("int4", 0, 3, channel, true);
  expect_precision("bf16", 8, 7, channel, true);
  expect_precision("fp32", 8, 23, channel, true);
  EXPECT_EQ(precision_of("e2m1:block=128").p.bits(), 4);
}

TEST(Precision, ScaleFormatsAndBadTextAreErrors) {
  EXPECT_THROW(precision_of("e8m0"), Error);
  EXPECT_THROW(precision_of("ue4m3"), Error);
  EXPECT_THROW(precision_of("e4m3:block=0"), Error);
  EXPECT_THROW(precision_of("float7"), Error);
}

TEST(Precision, LayoutNames) {
  EXPECT_EQ(layout_name(4, 3), "e4m3");
  EXPECT_EQ(layout_name(0, 7), "int8");
}

TEST(Inputs, EachLawReadsWhatItNeeds) {
  const LawRef sun = resolve_law("sun2025"), kumar = resolve_law("kumar2024");
  const LawRef quartet = resolve_law("quartet"), chin = resolve_law("chinchilla");
  InputSpec s;
  s.format = "mxfp4";
  EXPECT_EQ(make_input(*sun.law, sun.set, 1e8, 1e10, s).prec, (Precision{2, 1, 32}));
  const LawInput k = make_input(*kumar.law, kumar.set, 1e8, 1e10, s);
  EXPECT_EQ(k.bits_w, 4);
  EXPECT_EQ(k.bits_kv, 4);
  EXPECT_TRUE(make_input(*quartet.law, quartet.set, 1e8, 1e10, s).eff_from_law);
  s.bits_kv = 8;  // explicit bits win over the format
  EXPECT_EQ(make_input(*kumar.law, kumar.set, 1e8, 1e10, s).bits_kv, 8);
  s.format = "bf16";
  const LawInput q = make_input(*quartet.law, quartet.set, 1e8, 1e10, s);
  EXPECT_FALSE(q.eff_from_law);
  EXPECT_EQ(q.eff_n, 1);
  std::vector<std::string> notes;
  make_input(*sun.law, sun.set, 1e8, 1e10, s, &notes);
  EXPECT_EQ(notes.size(), 1u);  // unscaled bf16: the channel-wise assumption is flagged
  s.format = "nvfp4";           // quartet's published efficiencies are for mxfp4 only
  EXPECT_THROW(make_input(*quartet.law, quartet.set, 1e8, 1e10, s), Error);
  s.format = "not-a-format";
  EXPECT_THROW(make_input(*chin.law, chin.set, 1e8, 1e10, s), Error);
  EXPECT_THROW(make_input(*chin.law, chin.set, 0, 1e10, {}), Error);
  EXPECT_THROW(make_input(*chin.law, chin.set, 1e8, -5, {}), Error);
  EXPECT_THROW(make_input(*sun.law, sun.set, 1e8, 1e10, {}), Error);      // sun needs a format
  EXPECT_THROW(make_input(*kumar.law, kumar.set, 1e8, 1e10, {}), Error);  // kumar needs bits
}

}  // namespace
}  // namespace lowp::study
