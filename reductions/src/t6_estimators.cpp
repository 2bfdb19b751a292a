// T6 estimators and sample counts (t6_estimators.hpp).
#include "attncert/reductions/t6_estimators.hpp"

#include <algorithm>
#include <string>

#include "attncert/core/interval.hpp"
#include "attncert/reductions/errors.hpp"

namespace attncert::reductions::knn {

using core::Integer;
using core::Rational;

namespace {

void check_common(std::uint64_t n, std::uint64_t d, const Rational& eps, const Rational& delta) {
  if (n == 0) throw ParameterError("n", "must be >= 1");
  if (d == 0) throw ParameterError("d", "must be >= 1");
  if (eps <= 0) throw ParameterError("eps", "must be > 0, got " + core::to_string(eps));
  if (delta <= 0 || delta >= 1) throw ParameterError("delta", "must lie in (0, 1), got " + core::to_string(delta));
}

std::uint64_t checked_count(const Integer& v, const std::string& what) {
  if (v > Integer(std::uint64_t{1} << 40))
    throw ParameterError("eps", what + " = " + core::to_string(v) + " exceeds 2^40 (eps too small)");
  return v.convert_to<std::uint64_t>();
}

}  // namespace

Integer ceil_times_log(const Rational& x, const Rational& y) {
  if (x <= 0 || y <= 1) throw ParameterError("x", "ceil_times_log needs x > 0 and y > 1");
  for (mpfr_prec_t prec = 128; prec <= 16384; prec *= 2) {
    const core::Interval v = core::Interval::from_rational(x, prec) * core::log(core::Interval::from_rational(y, prec));
    const Integer lo = core::ceil(v.lo_q()), hi = core::ceil(v.hi_q());
    // x ln y is irrational (y > 1 rational, y != 1), so it is no integer: ceil is decided once both
    // endpoints have the same ceiling and the lower endpoint is not itself that integer.
    if (lo == hi && Rational(lo) != v.lo_q()) return lo;
  }
  throw ParameterError("x", "ceil(x ln y) undecided at 16384 bits");
}

std::uint64_t mean_samples(std::uint64_t n, std::uint64_t d, const Rational& eps, const Rational& delta) {
  check_common(n, d, eps, delta);
  const Rational y = Rational(Integer(2) * n * d) / delta;
  return checked_count(ceil_times_log(Rational(2) / (eps * eps), y), "l");
}

MomShape mom_shape(std::uint64_t n, std::uint64_t d, const Rational& eps, const Rational& delta) {
  check_common(n, d, eps, delta);
  MomShape s;
  s.group_size = checked_count(core::ceil(Rational(4) / (eps * eps)), "group size");
  s.groups = checked_count(ceil_times_log(Rational(8), Rational(Integer(n) * d) / delta), "groups");
  // n d / delta > 1 always (delta < 1), so g >= 1.
  return s;
}

std::vector<double> mean_estimate(std::span<const std::uint32_t> samples, std::span<const double> V, std::size_t d) {
  if (samples.empty()) throw ParameterError("samples", "need at least one sample");
  std::vector<double> out(d, 0.0);
  for (std::uint32_t j : samples)
    for (std::size_t c = 0; c < d; ++c) out[c] += V[static_cast<std::size_t>(j) * d + c];
  for (double& x : out) x /= static_cast<double>(samples.size());
  return out;
}

std::vector<double> median_of_means(std::span<const std::uint32_t> samples, std::size_t group_size,
                                    std::span<const double> V, std::size_t d) {
  if (group_size == 0 || samples.empty() || samples.size() % group_size != 0)
    throw ParameterError("samples", "the sample count must be a positive multiple of the group size");
  const std::size_t g = samples.size() / group_size;
  std::vector<std::vector<double>> means;
  means.reserve(g);
  for (std::size_t t = 0; t < g; ++t) means.push_back(mean_estimate(samples.subspan(t * group_size, group_size), V, d));
  std::vector<double> out(d), col(g);
  for (std::size_t c = 0; c < d; ++c) {
    for (std::size_t t = 0; t < g; ++t) col[t] = means[t][c];
    const std::size_t mid = (g - 1) / 2;  // the lower median
    std::nth_element(col.begin(), col.begin() + static_cast<std::ptrdiff_t>(mid), col.end());
    out[c] = col[mid];
  }
  return out;
}

}  // namespace attncert::reductions::knn
