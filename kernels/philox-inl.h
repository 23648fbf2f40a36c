// Vectorised Philox4x32-10 (per SIMD target): the exact words of lowp::random_bits per lane.
// Layout: four consecutive u32 lanes hold one Philox block, so after the ten rounds lane l
// holds word (l & 3) of block (index >> 2): the draw of element index s + l.
#if defined(LOWP_KERNELS_PHILOX_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_PHILOX_INL_H_
#undef LOWP_KERNELS_PHILOX_INL_H_
#else
#define LOWP_KERNELS_PHILOX_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "util/philox.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR
// The one-lane target has no 4-lane blocks: it calls the reference generator per element.
template <class DU>
struct PhiloxVec {
  uint64_t seed;
  uint32_t stream;
  PhiloxVec(DU, uint64_t seed_value, uint32_t stream_id) : seed(seed_value), stream(stream_id) {}
};

template <class DU>
HWY_INLINE hn::Vec<DU> RandomBits(DU du, const PhiloxVec<DU>& p, uint64_t s) {
  return hn::Set(du, random_bits(p.seed, p.stream, s));
}

template <size_t K, class DU>
HWY_INLINE void RandomBatch(DU du, const PhiloxVec<DU>& p, uint64_t s, hn::Vec<DU>* out) {
  for (size_t k = 0; k < K; ++k) out[k] = RandomBits(du, p, s + k);
}
#else
// Per-stream constants: round keys and counter template. Build once per task.
template <class DU>
struct PhiloxVec {
  using VU = hn::Vec<DU>;
  VU key[10];  // [k0_r, 0, k1_r, 0] per block: the round-r key, in the lanes it is XORed into
  VU mul;      // [M0, -, M1, -]: MulEven multiplies lanes 0 and 2 of each block
  VU word0;    // all-ones in lane 0 of each block (the counter's low word)
  VU word1;    // all-ones in lane 1 (the counter's high word)
  VU fixed;    // [group, 0, stream, "lowp"]: the counter without the block number
  // The wide layout (PhiloxPairs): one block per 64-bit lane, word w in vector w's low half.
  using VW = hn::Vec<hn::RepartitionToWide<DU> >;
  VW wkey0[10], wkey1[10];  // the round keys k0_r, k1_r
  VW wblock;                // lane j's block offset (see PhiloxPairs)
  VW wstream, wtag;         // words 2 and 3 of every counter
  uint32_t stream;

  static constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // round multipliers
  static constexpr uint32_t kTag = 0x6C6F7770u;                    // "lowp": counter word 3

  PhiloxVec(DU du, uint64_t seed, uint32_t stream_id) : stream(stream_id) {
    constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
    const hn::RepartitionToWide<DU> dw;
    const size_t n = hn::Lanes(du);
    HWY_ALIGN uint32_t lanes[hn::MaxLanes(DU())];
    const auto fill = [&](auto fn) {
      for (size_t i = 0; i < n; ++i) lanes[i] = fn(i & 3, i >> 2);
      return hn::Load(du, lanes);
    };
    uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
    for (int r = 0; r < 10; ++r, k0 += kW0, k1 += kW1) {
      key[r] = fill([&](size_t w, size_t) { return w == 0 ? k0 : (w == 2 ? k1 : 0u); });
      wkey0[r] = hn::Set(dw, k0);
      wkey1[r] = hn::Set(dw, k1);
    }
    mul = fill([](size_t w, size_t) { return w == 0 ? kM0 : (w == 2 ? kM1 : 0u); });
    word0 = fill([](size_t w, size_t) { return w == 0 ? ~0u : 0u; });
    word1 = fill([](size_t w, size_t) { return w == 1 ? ~0u : 0u; });
    fixed = fill([&](size_t w, size_t g) {
      return w == 0 ? static_cast<uint32_t>(g) : (w == 2 ? stream_id : (w == 3 ? kTag : 0u));
    });
    const size_t w = hn::Lanes(dw);
    HWY_ALIGN uint64_t wl[hn::MaxLanes(hn::RepartitionToWide<DU>())];
    for (size_t j = 0; j < w; ++j) wl[j] = (j % 2 == 0) ? j / 2 : w / 2 + j / 2;
    wblock = hn::Load(dw, wl);
    wstream = hn::Set(dw, stream_id);
    wtag = hn::Set(dw, kTag);
  }
};

// Round r on a vector of counters: one multiply, one shuffle (the 4-lane reversal, the only
// cross-64-bit move), one 64-bit shift and one three-way XOR.
template <class DU>
HWY_INLINE hn::Vec<DU> PhiloxRound(DU du, const PhiloxVec<DU>& p, hn::Vec<DU> ctr, int r) {
  const hn::RepartitionToWide<DU> dw;
  const auto prod = hn::BitCast(du, hn::MulEven(ctr, p.mul));  // [lo0, hi0, lo1, hi1]
  const auto odd = hn::BitCast(du, hn::ShiftRight<32>(hn::BitCast(dw, ctr)));  // [c1, 0, c3, 0]
  return hn::Xor3(hn::Shuffle0123(prod), odd, p.key[r]);  // [hi1^c1^k0, lo1, hi0^c3^k1, lo0]
}

template <class DU>
HWY_INLINE hn::Vec<DU> PhiloxRounds(DU du, const PhiloxVec<DU>& p, hn::Vec<DU> ctr) {
  for (int r = 0; r < 10; ++r) ctr = PhiloxRound(du, p, ctr, r);
  return ctr;
}

// The counters of the lanes' element indices s, s+1, ...; s must be a multiple of 4.
template <class DU>
HWY_INLINE hn::Vec<DU> PhiloxCounter(DU du, const PhiloxVec<DU>& p, uint64_t s) {
  const uint64_t block = s >> 2;
  const uint32_t lo = static_cast<uint32_t>(block), hi = static_cast<uint32_t>(block >> 32);
  const size_t groups = hn::Lanes(du) / 4;
  if (HWY_UNLIKELY(lo > 0xFFFFFFFFu - groups)) {  // the low word wraps inside this vector
    HWY_ALIGN uint32_t c[hn::MaxLanes(DU())];
    for (size_t g = 0; g < groups; ++g) {
      const uint64_t b = block + g;
      c[4 * g] = static_cast<uint32_t>(b);
      c[4 * g + 1] = static_cast<uint32_t>(b >> 32);
      c[4 * g + 2] = p.stream;
      c[4 * g + 3] = PhiloxVec<DU>::kTag;
    }
    return hn::Load(du, c);
  }
  return hn::Add(hn::Or(hn::And(hn::Set(du, lo), p.word0), hn::And(hn::Set(du, hi), p.word1)),
                 p.fixed);
}

// Draws for the lanes' element indices s, s+1, ...; s must be a multiple of 4.
template <class DU>
HWY_INLINE hn::Vec<DU> PhiloxAligned(DU du, const PhiloxVec<DU>& p, uint64_t s) {
  return PhiloxRounds(du, p, PhiloxCounter(du, p, s));
}

// Draws for element indices s .. s+Lanes-1, any s.
template <class DU>
HWY_INLINE hn::Vec<DU> RandomBits(DU du, const PhiloxVec<DU>& p, uint64_t s) {
  const size_t r = static_cast<size_t>(s & 3);
  if (HWY_LIKELY(r == 0)) return PhiloxAligned(du, p, s);
  const size_t n = hn::Lanes(du);
  HWY_ALIGN uint32_t buf[2 * hn::MaxLanes(DU())];
  hn::Store(PhiloxAligned(du, p, s - r), du, buf);
  hn::Store(PhiloxAligned(du, p, s - r + n), du, buf + n);
  return hn::LoadU(du, buf + r);
}

// Draws of 2P consecutive vectors from element index s, a multiple of 4, in the wide layout:
// each 64-bit lane runs one block with its four words in the low halves of four vectors, so
// a round is two multiplies, two shifts and two three-way XORs per Lanes/2 blocks - no
// shuffles (the packed layout above needs a shuffle and a shift more per Lanes/4 blocks).
// Lane j holds block j/2 (j even) or W/2 + j/2 (j odd) of the pair's W = Lanes/2 blocks, so
// the per-128-bit interleaves at the end leave the words in element order.
template <size_t P, class DU>
HWY_INLINE void PhiloxPairs(DU du, const PhiloxVec<DU>& p, uint64_t s, hn::Vec<DU>* out) {
  const hn::RepartitionToWide<DU> dw;
  using VW = hn::Vec<decltype(dw)>;
  const size_t n = hn::Lanes(du);
  const hn::Vec<DU> m0 = hn::Set(du, PhiloxVec<DU>::kM0), m1 = hn::Set(du, PhiloxVec<DU>::kM1);
  VW c0[P], c1[P], c2[P], c3[P];
  for (size_t k = 0; k < P; ++k) {
    const uint64_t block = (s + 2 * k * n) >> 2;
    c0[k] =
        hn::Add(hn::Set(dw, block & 0xFFFFFFFFu), p.wblock);  // low halves: no carry (see caller)
    c1[k] = hn::Set(dw, block >> 32);
    c2[k] = p.wstream;
    c3[k] = p.wtag;
  }
  for (int r = 0; r < 10; ++r) {
    for (size_t k = 0; k < P; ++k) {
      const VW p0 = hn::MulEven(hn::BitCast(du, c0[k]), m0);  // [lo0, hi0] per lane
      const VW p1 = hn::MulEven(hn::BitCast(du, c2[k]), m1);  // [lo1, hi1]
      c0[k] = hn::Xor3(hn::ShiftRight<32>(p1), c1[k], p.wkey0[r]);
      c1[k] = p1;  // high halves are ignored from here on
      c2[k] = hn::Xor3(hn::ShiftRight<32>(p0), c3[k], p.wkey1[r]);
      c3[k] = p0;
    }
  }
  for (size_t k = 0; k < P; ++k) {
    const VW w01 = hn::BitCast(
        dw, hn::OddEven(hn::BitCast(du, hn::ShiftLeft<32>(c1[k])), hn::BitCast(du, c0[k])));
    const VW w23 = hn::BitCast(
        dw, hn::OddEven(hn::BitCast(du, hn::ShiftLeft<32>(c3[k])), hn::BitCast(du, c2[k])));
    out[2 * k] = hn::BitCast(du, hn::InterleaveLower(dw, w01, w23));
    out[2 * k + 1] = hn::BitCast(du, hn::InterleaveUpper(dw, w01, w23));
  }
}

// Draws of K consecutive vectors from element index s (any s): out[k] = RandomBits(s + k *
// Lanes). K even and s a multiple of 4: PhiloxPairs, unless a block counter's low word wraps
// inside the batch; otherwise the packed layout, K round chains interleaved.
template <size_t K, class DU>
HWY_INLINE void RandomBatch(DU du, const PhiloxVec<DU>& p, uint64_t s, hn::Vec<DU>* out) {
  const size_t n = hn::Lanes(du);
  if (HWY_UNLIKELY((s & 3) != 0)) {
    for (size_t k = 0; k < K; ++k) out[k] = RandomBits(du, p, s + k * n);
    return;
  }
  if constexpr (K % 2 == 0) {
    const uint64_t first = s >> 2, last = (s + K * n) / 4 - 1;
    if (HWY_LIKELY((first >> 32) == (last >> 32))) return PhiloxPairs<K / 2>(du, p, s, out);
  }
  for (size_t k = 0; k < K; ++k) out[k] = PhiloxCounter(du, p, s + k * n);
  for (int r = 0; r < 10; ++r)
    for (size_t k = 0; k < K; ++k) out[k] = PhiloxRound(du, p, out[k], r);
}
#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_PHILOX_INL_H_
