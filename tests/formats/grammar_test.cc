// The format grammar: examples parse as documented, printed strings parse back, errors name the
// part.
#include <gtest/gtest.h>

#include <string>

#include "formats/format.h"
#include "util/error.h"

namespace lowp {
namespace {

TEST(Grammar, DocumentedExamples) {
  Format f = parse_format("e4m3");
  EXPECT_EQ(f.elem.specials, Specials::fn);
  EXPECT_FALSE(f.scaled());
  EXPECT_TRUE(parse_format("e5m2:sat").cast.saturate);
  f = parse_format("e2m1:round=sr:seed=7");
  EXPECT_EQ(f.cast.round, Round::sr);
  EXPECT_EQ(f.cast.seed, 7u);
  f = parse_format("mxfp4");
  EXPECT_EQ(f.block, 32);
  EXPECT_EQ(f.scale, ScaleType::e8m0);
  EXPECT_EQ(f.rule, ScaleRule::floor);
  EXPECT_EQ(parse_format("mxfp8_e4m3:scale=rceil").rule, ScaleRule::rceil);
  f = parse_format("e3m2:block=64:scale=e8m0");
  EXPECT_EQ(f.granularity, Granularity::block);
  EXPECT_EQ(f.block, 64);
  EXPECT_EQ(f.scale, ScaleType::e8m0);
  f = parse_format("int4:channel");
  EXPECT_EQ(f.granularity, Granularity::channel);
  EXPECT_EQ(f.scale, ScaleType::fp32);
  EXPECT_EQ(f.rule, ScaleRule::amax);
  f = parse_format("nvfp4:profile=te:tile=16x16");
  EXPECT_EQ(f.cast.profile, Profile::te);
  EXPECT_EQ(f.tile_rows, 16);
  EXPECT_EQ(f.block, 16);
  EXPECT_TRUE(f.tensor_scale);
  EXPECT_EQ(parse_format("e4m3:profile=ml_dtypes").cast.profile, Profile::ml_dtypes);
  f = parse_format("mxfp4:profile=microxcaling");
  EXPECT_EQ(f.rule, ScaleRule::floor_py);
  EXPECT_EQ(f.cast.round, Round::rna);
  EXPECT_EQ(parse_format("e4m3:round=even").cast.round, Round::rne);
  EXPECT_FALSE(parse_format("nvfp4:levels=1").tensor_scale);
  EXPECT_EQ(parse_format("e3m3").elem.specials, Specials::finite);
  EXPECT_EQ(parse_format("e6m9").elem.specials, Specials::ieee);
  EXPECT_EQ(parse_format("e4m3:specials=ieee:bias=8").elem.bias, 8);
}

TEST(Grammar, PrintedStringsParseBack) {
  const char* texts[] = {
      "e4m3",
      "e4m3_ieee",
      "e5m2:sat",
      "e4m3fnuz",
      "e5m2fnuz",
      "e4m3b11fnuz",
      "e3m4",
      "e3m2",
      "e2m3",
      "e2m1",
      "e8m0",
      "ue4m3",
      "bf16",
      "fp16",
      "tf32",
      "fp32",
      "int2",
      "int8",
      "int4:full",
      "e2m1:round=sr:seed=7",
      "e2m1:round=sr:bits=8:seed=3:stream=5",
      "mxfp4",
      "mxfp8_e4m3:scale=rceil",
      "mxfp8_e5m2",
      "mxfp6_e3m2",
      "mxfp6_e2m3:scale=even",
      "mxint8:scale=ceil",
      "e3m2:block=64:scale=e8m0",
      "int4:channel",
      "int8:tensor",
      "e4m3:tensor",
      "e4m3:channel:axis=col",
      "nvfp4",
      "nvfp4:profile=te:tile=16x16",
      "nvfp4:levels=1",
      "e4m3:profile=ml_dtypes",
      "e4m3:ftz",
      "mxfp4:profile=microxcaling",
      "mxfp4:profile=microxcaling:round=rne",
      "mxfp4:axis=col",
      "e2m1:block=16:scale=ue4m3",
      "e4m3:block=128:scale=pow2:scale=ceil",
      "e3m3:specials=fn:bias=5",
      "e5m2:nosat",
      "mxfp4:nosat",
      "e4m3:block=32:scale=fp32",
      "bf16:round=rtz",
      "int4:block=32",
  };
  for (const char* t : texts) {
    SCOPED_TRACE(t);
    const Format f = parse_format(t);
    const std::string printed = f.to_string();
    const Format g = parse_format(printed);
    EXPECT_TRUE(f == g) << "printed as " << printed;
    EXPECT_EQ(printed, g.to_string());
  }
  EXPECT_EQ(parse_format("mxfp8_e4m3:scale=rceil").to_string(), "mxfp8_e4m3:scale=rceil");
  EXPECT_EQ(parse_format("e4m3fn").to_string(), "e4m3");
}

// A bad string gets an error naming the bad part and the valid choices.
void expect_error(const std::string& text, const std::string& must_mention) {
  try {
    parse_format(text);
    ADD_FAILURE() << "no error for " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(must_mention), std::string::npos)
        << text << " -> " << e.what();
  }
}

TEST(Grammar, ErrorsNameTheBadPart) {
  expect_error("e9m3", "1 <= X <= 8");
  expect_error("fp7", "unknown format 'fp7'");
  expect_error("fp7", "mxfp4");  // lists valid names
  expect_error("e4m3:round=sideways", "sideways");
  expect_error("e4m3:round=sideways", "rne");
  expect_error("mxfp4:scale=e9m0", "e9m0");
  expect_error("mxfp4:block=0", "block");
  expect_error("mxfp4:bogus", "bogus");
  expect_error("e4m3:scale=rceil", "scale= needs");
  expect_error("mxfp4:scale=amax", "does not fit");
  expect_error("e2m1:bits=8", "round=sr");
  expect_error("int9", "int2 to int8");
  expect_error("", "empty");
  expect_error("e4m3:profile=pytorch", "ml_dtypes");
  expect_error("mxfp4:seed=x1", "integer");
  expect_error("e8m7:specials=ieee:bias=300", "fp32's range");
}

}  // namespace
}  // namespace lowp
