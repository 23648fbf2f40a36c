// Format -> (Eb, Mb, Bs), the adapter between the format grammar and the laws.
#include "study/precision.h"

#include <cmath>
#include <cstdio>

#include "util/error.h"

namespace lowp::study {

FormatPrecision precision_of(const Format& f, std::string_view text) {
  FormatPrecision out;
  out.text = text.empty() ? f.name : std::string(text);
  const ElementFormat& e = f.elem;
  if (e.kind == ElemKind::e8m0 || !e.is_signed)
    fail("format '" + out.text +
         "' is a scale format (unsigned); the laws need a signed "
         "element format such as e4m3, e2m1, int8 or bf16");
  if (e.kind == ElemKind::integer) {
    out.p.Eb = 0;  // INT-k is (0, k-1); mbits already holds k-1 magnitude bits
    out.p.Mb = e.mbits;
  } else {  // minifloat or fp32
    out.p.Eb = e.ebits;
    out.p.Mb = e.mbits;
  }
  switch (f.granularity) {
    case Granularity::block:
      out.p.Bs = static_cast<double>(f.block) * (f.tile_rows > 0 ? f.tile_rows : 1);
      out.source = f.tile_rows > 0 ? BsSource::tile : BsSource::block;
      break;
    case Granularity::channel:
      out.p.Bs = std::exp2(kChannelLog2Bs);
      out.source = BsSource::channel;
      break;
    case Granularity::tensor:
      out.p.Bs = std::exp2(kChannelLog2Bs);
      out.source = BsSource::tensor_as_channel;
      break;
    case Granularity::none:
      out.p.Bs = std::exp2(kChannelLog2Bs);
      out.source = BsSource::unscaled_as_channel;
      break;
  }
  return out;
}

FormatPrecision precision_of(std::string_view text) {
  return precision_of(parse_format(text), text);
}

std::string bs_note(const FormatPrecision& fp) {
  const char* what = fp.source == BsSource::tensor_as_channel     ? "a per-tensor scale"
                     : fp.source == BsSource::unscaled_as_channel ? "an unscaled element format"
                                                                  : nullptr;
  if (!what) return "";
  return "format '" + fp.text + "' has " + what +
         "; sun2025 was fitted on block- and channel-scaled runs, so lowp uses the channel-wise "
         "log2 Bs = 13.1567 (a lower bound on its penalty)";
}

std::string layout_name(int Eb, int Mb) {
  char buf[32];
  if (Eb == 0)
    std::snprintf(buf, sizeof buf, "int%d", Mb + 1);
  else
    std::snprintf(buf, sizeof buf, "e%dm%d", Eb, Mb);
  return buf;
}

}  // namespace lowp::study
