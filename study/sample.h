// Synthetic runs: a law's losses over a grid of N x D x formats x seeds, with optional
// multiplicative log-normal noise; for demos and for checking the fitter end to end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "study/data.h"
#include "study/law.h"

namespace lowp::study {

// Every (N, D, format, seed) combination; loss = L * exp(sigma * z), z standard normal from
// Philox (a pure function of `seed` and the row index). Throws like make_input for bad input.
Dataset sample_runs(const Law& law, const ConstantSet& set, const std::vector<double>& Ns,
                    const std::vector<double>& Ds, const std::vector<std::string>& formats,
                    double sigma, int seeds, uint64_t seed);

// The runs CSV that read_csv reads back: N,D,format,loss,seed (losses to 9 significant digits).
std::string to_csv(const Dataset& data);

}  // namespace lowp::study
