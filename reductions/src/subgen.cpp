// SubGen (reductions/include/attncert/reductions/subgen.hpp; docs/theorems.md#subgen).
#include "attncert/reductions/subgen.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "attncert/reductions/errors.hpp"

namespace attncert::reductions {

void check_subgen_params(const SubGenParams& p) {
  if (!(p.r > 0) || !std::isfinite(p.r) || !(static_cast<float>(p.r) * static_cast<float>(p.r) > 0) ||
      !std::isfinite(static_cast<float>(p.r) * static_cast<float>(p.r)))
    throw ParameterError("r", "must be a positive finite radius (r^2 representable as a float), got " + std::to_string(p.r));
  if (p.t == 0) throw ParameterError("t", "must be >= 1 (key samples per cluster), got 0");
  if (p.s == 0) throw ParameterError("s", "must be >= 1 (value samples), got 0");
  if (p.s > (std::size_t{1} << 24)) throw ParameterError("s", "must be <= 2^24, got " + std::to_string(p.s));
  if (p.t > (std::size_t{1} << 24)) throw ParameterError("t", "must be <= 2^24, got " + std::to_string(p.t));
}

SubGen::SubGen(std::size_t d, const SubGenParams& p) : StreamingAttention(d), p_(p), r2_(0), rng_(p.seed) {
  check_subgen_params(p);
  r2_ = static_cast<float>(p.r) * static_cast<float>(p.r);
  thresholds_.assign(p.s, 0.0);  // every sampler takes the first token of positive weight
}

std::size_t SubGen::words_used() const {
  std::size_t w = centers_.size() + counts_.size();
  for (const auto& s : samples_) w += s.size();
  w += vkeys_.size() + vvals_.size() + vnorm2_.size();
  w += thresholds_.size() + 2;  // thresholds, W and the cached smallest threshold
  return w;
}

double SubGen::uniform01() { return static_cast<double>((rng_.next() >> 11) + 1) * 0x1.0p-53; }

void SubGen::do_observe(const float* key, const float* value) {
  const std::size_t d = dim();
  // Nearest center within r (ties: the older cluster).
  const std::size_t m = counts_.size();
  std::size_t best = m;
  float best_d2 = std::numeric_limits<float>::infinity();
  for (std::size_t c = 0; c < m; ++c) {
    const float* ctr = centers_.data() + c * d;
    float acc = 0;
    for (std::size_t i = 0; i < d; ++i) {
      const float diff = key[i] - ctr[i];
      acc += diff * diff;
    }
    if (acc < best_d2) { best_d2 = acc; best = c; }
  }
  if (best == m || !(best_d2 <= r2_)) {
    centers_.insert(centers_.end(), key, key + d);
    counts_.push_back(1);
    samples_.emplace_back(key, key + d);
  } else {
    const double n_c = (counts_[best] += 1);
    std::vector<float>& S = samples_[best];
    if (S.size() < p_.t * d) {
      S.insert(S.end(), key, key + d);
    } else {  // algorithm R: the i-th key replaces a uniform slot with probability t/i
      const std::uint64_t j = rng_.below(static_cast<std::uint64_t>(n_c));
      if (j < p_.t) std::copy(key, key + d, S.begin() + static_cast<std::ptrdiff_t>(j * d));
    }
  }
  // l2 samplers with replacement: sampler i is replaced when the running total passes its threshold.
  double w = 0;
  for (std::size_t i = 0; i < d; ++i) w += static_cast<double>(value[i]) * value[i];
  if (w <= 0) return;
  W_ += w;
  if (!(W_ > min_threshold_)) return;
  if (filled_ == 0) {
    vkeys_.resize(p_.s * d);
    vvals_.resize(p_.s * d);
    vnorm2_.resize(p_.s);
    filled_ = p_.s;
  }
  double next_min = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < p_.s; ++i) {
    if (W_ > thresholds_[i]) {
      std::copy(key, key + d, vkeys_.begin() + static_cast<std::ptrdiff_t>(i * d));
      std::copy(value, value + d, vvals_.begin() + static_cast<std::ptrdiff_t>(i * d));
      vnorm2_[i] = w;
      thresholds_[i] = W_ / uniform01();
    }
    next_min = std::min(next_min, thresholds_[i]);
  }
  min_threshold_ = next_min;
}

SubGen::Estimates SubGen::estimates(std::span<const float> query) const {
  const std::size_t d = dim();
  if (query.size() != d) throw ParameterError("query", "must have " + std::to_string(d) + " entries");
  if (tokens() == 0) throw std::logic_error("subgen: estimates() before any token was observed");
  auto dot = [&](const float* k) {
    double acc = 0;
    for (std::size_t i = 0; i < d; ++i) acc += static_cast<double>(query[i]) * k[i];
    return acc;
  };
  double shift = -INFINITY;
  for (const auto& S : samples_)
    for (std::size_t j = 0; j < S.size(); j += d) shift = std::max(shift, dot(S.data() + j));
  for (std::size_t i = 0; i < filled_; ++i) shift = std::max(shift, dot(vkeys_.data() + i * d));
  Estimates e{shift, 0.0, std::vector<double>(d, 0.0)};
  for (std::size_t c = 0; c < samples_.size(); ++c) {
    const auto& S = samples_[c];
    double sum = 0;
    for (std::size_t j = 0; j < S.size(); j += d) sum += std::exp(dot(S.data() + j) - shift);
    e.tau += counts_[c] / static_cast<double>(S.size() / d) * sum;
  }
  for (std::size_t i = 0; i < filled_; ++i) {
    const double f = std::exp(dot(vkeys_.data() + i * d) - shift) / vnorm2_[i];
    for (std::size_t l = 0; l < d; ++l) e.num[l] += f * vvals_[i * d + l];
  }
  if (filled_)
    for (double& x : e.num) x *= W_ / static_cast<double>(p_.s);
  return e;
}

void SubGen::do_answer(const float* query, double* out) const {
  const Estimates e = estimates(std::span<const float>(query, dim()));
  for (std::size_t l = 0; l < dim(); ++l) out[l] = e.num[l] / e.tau;
}

}  // namespace attncert::reductions
