// Synthetic runs for the fitter tests: a law with known constants evaluated over a grid.
#pragma once

#include <cmath>
#include <cstdio>
#include <vector>

#include "study/data.h"
#include "study/law.h"
#include "util/philox.h"

namespace lowp::study::testing {

// A grid of (N, D) cells, each in several precisions and seeds.
struct Grid {
  std::vector<double> N, D;
  std::vector<LawInput> precisions;  // N and D are overwritten
  std::vector<std::string> labels;   // format label of each precision
  int seeds = 1;
};

// Standard normal draw from the counter-based generator (Box-Muller).
inline double gaussian(uint64_t seed, uint64_t i) {
  const double u1 = (random_bits(seed, 1, 2 * i) + 0.5) * 0x1p-32;
  const double u2 = (random_bits(seed, 1, 2 * i + 1) + 0.5) * 0x1p-32;
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Loss of every grid point under `c`, times exp(sigma * z) noise (sigma = 0: exact).
inline std::vector<Sample> synthesize(const Law& law, const std::vector<double>& c, const Grid& g,
                                      double sigma, uint64_t seed) {
  std::vector<Sample> out;
  uint64_t i = 0;
  for (double N : g.N)
    for (double D : g.D)
      for (size_t p = 0; p < g.precisions.size(); ++p)
        for (int s = 0; s < g.seeds; ++s) {
          Sample x;
          x.x = g.precisions[p];
          x.x.N = N;
          x.x.D = D;
          x.format = g.labels[p];
          x.loss = law.loss(c, x.x) * std::exp(sigma * gaussian(seed, i++));
          out.push_back(x);
        }
  return out;
}

inline LawInput sun_prec(double Eb, double Mb, double Bs) {
  LawInput x;
  x.prec = {Eb, Mb, Bs};
  return x;
}

inline LawInput kumar_bits(double w, double a, double kv) {
  LawInput x;
  x.bits_w = w, x.bits_a = a, x.bits_kv = kv;
  return x;
}

inline LawInput quartet_eff(bool low) {
  LawInput x;
  x.eff_from_law = low;
  return x;
}

// Grids inside each law's published range (sun2025: eight layouts that span the (delta, nu)
// plane; kumar2024: each operand varied alone over >= 3 precisions).
inline Grid grid_for(const Law& law) {
  Grid g;
  const std::string id = law.id();
  if (id == "chinchilla") {
    g.N = {7e7, 2e8, 6e8, 2e9, 6e9, 1.6e10};
    g.D = {5e9, 2e10, 8e10, 2e11, 5e11};
  } else if (id == "kaplan") {
    g.N = {1e6, 1e7, 1e8, 1.5e9};
    g.D = {3e7, 3e8, 3e9, 2e10};
  } else if (id == "sun2025") {
    g.N = {4.1e7, 1e8, 2.5e8, 6.79e8};
    g.D = {1e10, 3e10, 1e11};
  } else if (id == "kumar2024") {
    g.N = {3e7, 6e7, 1.1e8, 2.2e8};
    g.D = {1.5e9, 5e9, 2.6e10};
  } else {
    g.N = {3e7, 5e7, 1e8, 2e8};
    g.D = {7.5e8, 3e9, 1.2e10, 4e10, 1.6e11};
  }
  if (id == "sun2025") {
    // Penalties from ~20% (e1m1, block 512) down to 0.04% (e4m3) of the loss.
    g.precisions = {sun_prec(1, 1, 512), sun_prec(1, 2, 128),    sun_prec(2, 1, 32),
                    sun_prec(3, 1, 256), sun_prec(2, 2, 9131.9), sun_prec(3, 2, 64),
                    sun_prec(4, 3, 128), sun_prec(8, 7, 128)};
    g.labels = {"e1m1:block=512", "e1m2:block=128", "e2m1:block=32",  "e3m1:block=256",
                "e2m2:channel",   "e3m2:block=64",  "e4m3:block=128", "bf16:block=128"};
  } else if (id == "kumar2024") {
    const double combos[][3] = {{16, 16, 16}, {4, 16, 16}, {6, 16, 16}, {8, 16, 16},
                                {16, 4, 16},  {16, 6, 16}, {16, 8, 16}, {16, 16, 3},
                                {16, 16, 4},  {16, 16, 6}, {5, 5, 5}};
    for (const auto& c : combos) {
      g.precisions.push_back(kumar_bits(c[0], c[1], c[2]));
      char label[32];
      std::snprintf(label, sizeof label, "w%da%dkv%d", int(c[0]), int(c[1]), int(c[2]));
      g.labels.push_back(label);
    }
  } else if (id == "quartet") {
    g.precisions = {quartet_eff(false), quartet_eff(true)};
    g.labels = {"bf16", "mxfp4"};
  } else {
    g.precisions = {LawInput{}};
    g.labels = {"bf16"};
  }
  return g;
}

}  // namespace lowp::study::testing
