// Streaming attention interface and the exact baseline (reductions/include/attncert/reductions/streaming.hpp).
#include "attncert/reductions/streaming.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "attncert/reductions/errors.hpp"

namespace attncert::reductions {

namespace {

void check_vector(const char* what, std::span<const float> x, std::size_t d) {
  if (x.size() != d)
    throw ParameterError(what, "must have " + std::to_string(d) + " entries, got " + std::to_string(x.size()));
  for (float v : x)
    if (!std::isfinite(v)) throw ParameterError(what, "entries must be finite");
}

}  // namespace

StreamingAttention::StreamingAttention(std::size_t d) : d_(d) {
  if (d == 0) throw ParameterError("d", "must be >= 1, got 0");
}

void StreamingAttention::observe(std::span<const float> key, std::span<const float> value) {
  check_vector("key", key, d_);
  check_vector("value", value, d_);
  do_observe(key.data(), value.data());
  ++n_;
}

std::vector<double> StreamingAttention::answer(std::span<const float> query) const {
  check_vector("query", query, d_);
  if (n_ == 0) throw std::logic_error(name() + ": answer() before any token was observed");
  std::vector<double> out(d_);
  do_answer(query.data(), out.data());
  return out;
}

void ExactAttention::do_observe(const float* key, const float* value) {
  keys_.insert(keys_.end(), key, key + dim());
  values_.insert(values_.end(), value, value + dim());
}

void ExactAttention::do_answer(const float* q, double* out) const {
  const std::size_t d = dim(), n = tokens();
  std::vector<double> score(n);
  double mx = -INFINITY;
  for (std::size_t j = 0; j < n; ++j) {
    double acc = 0;
    for (std::size_t c = 0; c < d; ++c) acc += static_cast<double>(q[c]) * keys_[j * d + c];
    score[j] = acc;
    mx = std::max(mx, acc);
  }
  double den = 0;
  std::fill(out, out + d, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    const double e = std::exp(score[j] - mx);
    den += e;
    for (std::size_t c = 0; c < d; ++c) out[c] += e * values_[j * d + c];
  }
  for (std::size_t c = 0; c < d; ++c) out[c] /= den;
}

}  // namespace attncert::reductions
