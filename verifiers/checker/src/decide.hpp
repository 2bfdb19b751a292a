// Deciding inequalities about real numbers known only through qarith enclosures: refine the
// enclosure until it lies on one side of the threshold. Used by the INDEX and T1 checks.
#pragma once
#include <gmpxx.h>

#include <cstdint>
#include <string>

#include "cert.hpp"
#include "json_strict.hpp"
#include "qarith.hpp"

namespace attncert::checker {

inline mpz_class ceil_q(const mpq_class& q) {
  mpz_class r;
  mpz_cdiv_q(r.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  return r;
}

// Decides x <= t for the real x enclosed by enc(bits). If 8192 bits still do not separate x from
// t, the stored claim is not established: Rejected, never a guess.
template <class Enclose>
bool decide_le(Enclose enc, const mpq_class& t, const std::string& what) {
  for (unsigned bits = 64; bits <= 8192; bits *= 2) {
    QInterval e = enc(bits);
    if (e.hi <= t) return true;
    if (e.lo > t) return false;
  }
  throw Rejected(what + ": undecidable at the checker's precision limit");
}

// The stored interval {lo, hi} (at `where`) must contain the real value enclosed by enc.
template <class Enclose>
void check_contains(Enclose enc, const json& stored, const std::string& where) {
  expect_keys(stored, where, {"lo", "hi"});
  mpq_class lo = rational_field(stored, where, "lo"), hi = rational_field(stored, where, "hi");
  if (lo > hi) throw Rejected(where + ": lo > hi");
  auto negated = [&](unsigned b) {
    QInterval e = enc(b);
    return QInterval{-e.hi, -e.lo};
  };
  if (!decide_le(negated, -lo, where) || !decide_le(enc, hi, where))
    throw Rejected(where + " does not contain the true value");
}

// Lemma 3 from a row's Lemma 1 denominator bound D >= one / w (one = 2^b fixed point): the margin
// is mu = 2w - 1 >= (2 one - D) / D; rel flips nothing when mu > 0, abs when mu > eta, l2 at most
// floor(eta^2 d / mu^2) coordinates; a row without the needed margin counts as all d bits flipped.
inline std::uint64_t lemma3_flips(const std::string& notion, const mpq_class& eta, std::size_t d, const mpz_class& one,
                                  const mpz_class& D) {
  mpq_class mu(mpz_class(2 * one - D), D);
  mu.canonicalize();
  if (notion == "rel") return mu > 0 ? 0 : d;
  if (notion == "abs") return mu > eta ? 0 : d;
  if (mu <= 0) return d;
  mpq_class f = eta * eta * mpq_class(static_cast<unsigned long>(d)) / (mu * mu);
  mpz_class fl;
  mpz_fdiv_q(fl.get_mpz_t(), f.get_num_mpz_t(), f.get_den_mpz_t());
  return fl > d ? d : fl.get_ui();
}

}  // namespace attncert::checker
