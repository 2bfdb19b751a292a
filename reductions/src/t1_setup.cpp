#include "attncert/reductions/t1_setup.hpp"

#include "attncert/reductions/errors.hpp"

namespace attncert::reductions {

using core::Rational;

static void check_count(std::uint64_t v, const char* name, std::uint64_t lo, std::uint64_t hi) {
  if (v < lo || v > hi)
    throw ParameterError(name, std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

T1Setup resolve_t1(const T1Request& r) {
  check_eta_delta(r.eta, r.delta);
  if (r.C) check_C(*r.C);
  // n counts the whole sequence: Alice's N = n - 1 tokens and Bob's one.
  if (r.n) check_count(*r.n, "n", 3, limits::max_keys + 1);
  if (r.d) check_count(*r.d, "d", 1, limits::max_dim);
  T1Setup s;
  std::size_t N = r.n ? *r.n - 1 : defaults::t1_n - 1, d = r.d ? *r.d : defaults::t1_d;
  if (r.auto_params) {
    if (r.keys.kind != KeySource::Kind::random) throw ParameterError("auto", "works with random keys only");
    check_rho_target(r.eps, r.delta_prime);
    s.d_hoeffding = d_hoeffding(N, r.eps, r.delta_prime);
    s.d_binomial = d_binomial(N, r.eps, r.delta_prime);
    if (s.d_binomial > limits::max_dim)
      throw ParameterError("auto", "the sufficient d = " + std::to_string(s.d_binomial) + " exceeds " + std::to_string(limits::max_dim));
    d = s.d_binomial;
    s.C = r.C ? *r.C : default_C(N, r.eps);
  } else {
    s.C = r.C;
  }
  // A key file fixes N and d, a code fixes d (and N defaults to min(|code|, t1_n - 1)).
  const bool file = r.keys.kind == KeySource::Kind::file, code = r.keys.kind == KeySource::Kind::code;
  if (r.keys.kind == KeySource::Kind::hadamard && !r.n) N = 2 * d;  // the whole code
  s.keys = make_keys(r.keys, (file || code) && !r.n ? 0 : N, (file || code) && !r.d ? 0 : d, code ? &s.code : nullptr);
  if (s.keys.rows() < 2) throw ParameterError("keys", "T1 needs at least 2 keys");
  return s;
}

Rational propose_C(std::size_t N, long max_inner, std::size_t d) {
  Rational rho(max_inner, static_cast<long>(d));
  return default_C(N, rho < 1 ? rho : Rational(1, 2));
}

}  // namespace attncert::reductions
