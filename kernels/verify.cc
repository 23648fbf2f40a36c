// Kernel-versus-oracle sweeps: fp32 bit patterns for element formats, random tensors for all.
#include "kernels/verify.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <vector>

#include "formats/scaled.h"
#include "kernels/bench.h"
#include "kernels/parallel.h"
#include "kernels/quantize.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp::kernels {
namespace {

constexpr int64_t kChunk = 1 << 16;  // patterns per task

std::string hex(uint32_t u) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", u);
  return b;
}

// Serialises mismatch reports and counts them.
class Reporter {
 public:
  Reporter(const MismatchFn& fn, int max_reports) : fn_(fn), max_(max_reports) {}
  void add(uint32_t bits, uint64_t index, const std::string& what) {
    const uint64_t k = count_.fetch_add(1);
    if (k >= static_cast<uint64_t>(max_) || !fn_) return;
    std::lock_guard<std::mutex> lk(mu_);
    fn_(Mismatch{bits, index, what});
  }
  uint64_t count() const { return count_.load(); }

 private:
  const MismatchFn& fn_;
  const int max_;
  std::mutex mu_;
  std::atomic<uint64_t> count_{0};
};

// Edge inputs of an element format: every value, midpoints of neighbours and their fp32
// neighbours, the region past the largest value, tiny values, fp32 specials; both signs.
std::vector<uint32_t> edge_patterns(const ElementFormat& e) {
  std::vector<float> vals;
  if (e.kind != ElemKind::fp32 && e.bits <= 20)
    for (uint32_t c = 0; c < (1u << e.bits); ++c) {
      const float v = std::fabs(decode(e, c));
      if (std::isfinite(v)) vals.push_back(v);
    }
  std::sort(vals.begin(), vals.end());
  vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
  std::vector<float> pts;
  const auto around = [&](float v) {
    pts.push_back(v);
    pts.push_back(std::nextafter(v, 0.0f));
    pts.push_back(std::nextafter(v, INFINITY));
  };
  for (size_t i = 0; i < vals.size(); ++i) {
    around(vals[i]);
    if (i + 1 < vals.size())
      around(static_cast<float>((static_cast<double>(vals[i]) + vals[i + 1]) / 2));
  }
  if (vals.size() >= 2) {
    const double top = vals.back(), step = top - vals[vals.size() - 2];
    around(static_cast<float>(top + step / 2));
    around(static_cast<float>(top + step));
    around(static_cast<float>(2 * top));
    around(static_cast<float>(vals[1] / 2));
    around(static_cast<float>(vals[1] / 4));
  }
  for (uint32_t b : {0x00000001u, 0x007FFFFFu, 0x00800000u, 0x7F7FFFFFu, 0x7F800000u, 0x7FC00000u,
                     0x7F800001u, 0x7FFFFFFFu, 0x00000000u})
    pts.push_back(u2f(b));
  std::vector<uint32_t> out;
  for (float v : pts) {
    out.push_back(f2u(v) & 0x7FFFFFFFu);
    out.push_back(f2u(v) | 0x80000000u);
  }
  return out;
}

// Compares kernel and oracle on x[0..n) with element indices base + i.
void check_elements(const Format& f, const std::vector<float>& table, const float* x, int64_t n,
                    uint64_t base, Reporter& rep) {
  thread_local std::vector<uint32_t> codes;  // per-thread buffers: no allocation per chunk
  thread_local std::vector<float> values, fast;
  codes.resize(static_cast<size_t>(n));
  values.resize(static_cast<size_t>(n));
  fast.resize(static_cast<size_t>(n));
  QuantStats ks;
  int64_t flag_counts[16] = {};  // oracle CastFlag combinations
  QuantOut o;
  o.codes = codes.data();
  o.values = values.data();
  o.stats = &ks;
  kernels::quantize_tensor(f, x, 1, n, o, base);
  kernels::fake_quantize(f, x, fast.data(), 1, n, base);
  const bool keep_inf = f.cast.profile == Profile::microxcaling;
  for (int64_t i = 0; i < n; ++i) {
    uint8_t fl = 0;
    const uint32_t c = encode(f.elem, x[i], f.cast, base + i, &fl);
    ++flag_counts[fl & 15];
    const float v = (keep_inf && std::isinf(x[i])) ? x[i] : (table.empty() ? u2f(c) : table[c]);
    if (codes[i] != c || f2u(values[i]) != f2u(v) || f2u(fast[i]) != f2u(v))
      rep.add(f2u(x[i]), base + i,
              "oracle code " + hex(c) + " value " + hex(f2u(v)) + "; kernel code " + hex(codes[i]) +
                  " value " + hex(f2u(values[i])) + ", fake_quantize " + hex(f2u(fast[i])));
  }
  QuantStats os;
  os.n = n;
  for (int fl = 0; fl < 16; ++fl) {
    os.saturated += (fl & kSaturated) ? flag_counts[fl] : 0;
    os.flushed += (fl & kFlushed) ? flag_counts[fl] : 0;
    os.nan_mapped += (fl & kNanMapped) ? flag_counts[fl] : 0;
    os.overflowed += (fl & kOverflowed) ? flag_counts[fl] : 0;
  }
  if (ks.saturated != os.saturated || ks.flushed != os.flushed || ks.nan_mapped != os.nan_mapped ||
      ks.overflowed != os.overflowed || ks.n != os.n)
    rep.add(f2u(x[0]), base, "flag counts differ in the chunk starting here");
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

VerifyResult verify_patterns(const Format& f, uint64_t stride, bool edges, const MismatchFn& report,
                             int max_reports) {
  if (f.scaled())
    fail("verify: '" + f.to_string() +
         "' is block-scaled; bit-pattern sweeps cover element "
         "formats (e.g. e4m3, e2m1:round=rtz); use random tensors for scaled formats");
  if (stride < 1) fail("verify: the pattern stride must be >= 1");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<float> table;  // the oracle's decode of every code (empty: fp32 identity)
  if (f.elem.kind != ElemKind::fp32) {
    table.resize(size_t{1} << f.elem.bits);
    for (size_t c = 0; c < table.size(); ++c) table[c] = decode(f.elem, static_cast<uint32_t>(c));
  }
  Reporter rep(report, max_reports);
  const uint64_t count = ((uint64_t{1} << 32) + stride - 1) / stride;
  parallel_for(task_count(static_cast<int64_t>(count), kChunk), [&](int64_t t) {
    const uint64_t k0 = static_cast<uint64_t>(t) * kChunk;
    const int64_t n = static_cast<int64_t>(std::min<uint64_t>(kChunk, count - k0));
    thread_local std::vector<float> x;
    x.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) x[i] = u2f(static_cast<uint32_t>((k0 + i) * stride));
    check_elements(f, table, x.data(), n, k0 * stride, rep);
  });
  VerifyResult r;
  r.inputs = count;
  if (edges) {
    const auto pats = edge_patterns(f.elem);
    std::vector<float> x(pats.size());
    for (size_t i = 0; i < pats.size(); ++i) x[i] = u2f(pats[i]);
    check_elements(f, table, x.data(), static_cast<int64_t>(x.size()), 0, rep);
    r.inputs += pats.size();
  }
  r.mismatches = rep.count();
  r.seconds = since(t0);
  return r;
}

VerifyResult verify_random(const Format& f, uint64_t seed, int cases, const MismatchFn& report,
                           int max_reports) {
  const auto t0 = std::chrono::steady_clock::now();
  static const int64_t kShapes[][2] = {{1, 1},  {1, 7},  {1, 33},   {3, 32},  {17, 16},
                                       {5, 64}, {33, 7}, {2, 1000}, {64, 48}, {16, 17}};
  static const uint64_t kBases[] = {0, 3, (uint64_t{1} << 34) - 5};
  Reporter rep(report, max_reports);
  VerifyResult r;
  for (int c = 0; c < cases; ++c) {
    const int64_t rows = kShapes[c % 10][0], cols = kShapes[c % 10][1], n = rows * cols;
    const uint64_t base = kBases[c % 3];
    const auto x = mixed_inputs(n, seed + static_cast<uint64_t>(c), (c % 9) * 4 - 16);
    const ScaleGrid grid = scale_grid(f, rows, cols);
    const size_t ns = static_cast<size_t>(std::max<int64_t>(grid.count(), 1));
    std::vector<uint32_t> c0(n), c1(n), s0(ns), s1(ns);
    std::vector<float> v0(n), v1(n), v2(n), d0(n), d1(n);
    uint32_t t0b = 0, t1b = 0;
    QuantStats st0, st1;
    lowp::quantize_tensor(f, x.data(), rows, cols, {c0.data(), s0.data(), &t0b, v0.data(), &st0},
                          base);
    kernels::quantize_tensor(f, x.data(), rows, cols, {c1.data(), s1.data(), &t1b, v1.data(), &st1},
                             base);
    kernels::fake_quantize(f, x.data(), v2.data(), rows, cols, base);
    lowp::dequantize_tensor(f, c0.data(), s0.data(), t0b, rows, cols, d0.data());
    kernels::dequantize_tensor(f, c0.data(), s0.data(), t0b, rows, cols, d1.data());
    for (int64_t i = 0; i < n; ++i)
      if (c0[i] != c1[i] || f2u(v0[i]) != f2u(v1[i]) || f2u(v0[i]) != f2u(v2[i]) ||
          f2u(d0[i]) != f2u(d1[i]))
        rep.add(f2u(x[i]), base + i,
                "element " + std::to_string(i) + " of a " + std::to_string(rows) + "x" +
                    std::to_string(cols) + " tensor: oracle code " + hex(c0[i]) + " value " +
                    hex(f2u(v0[i])) + " dequantized " + hex(f2u(d0[i])) + "; kernel code " +
                    hex(c1[i]) + " value " + hex(f2u(v1[i])) + " fake_quantize " + hex(f2u(v2[i])) +
                    " dequantized " + hex(f2u(d1[i])));
    for (size_t i = 0; i < ns && f.scaled(); ++i)
      if (s0[i] != s1[i])
        rep.add(0, i, "scale " + std::to_string(i) + ": " + hex(s0[i]) + " vs " + hex(s1[i]));
    if (t0b != t1b && f.scaled()) rep.add(0, 0, "tensor scale " + hex(t0b) + " vs " + hex(t1b));
    if (st0.saturated != st1.saturated || st0.flushed != st1.flushed ||
        st0.nan_mapped != st1.nan_mapped || st0.overflowed != st1.overflowed || st0.n != st1.n)
      rep.add(0, 0, "flag counts differ");
    r.inputs += static_cast<uint64_t>(n);
  }
  r.mismatches = rep.count();
  r.seconds = since(t0);
  return r;
}

}  // namespace lowp::kernels
