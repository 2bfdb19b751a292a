// Filter, then refine (the pattern of CGAL's filtered predicates): try a cheap working precision
// first and double it only while the enclosure is too wide to decide; past the limit the question
// is *undecided* (callers report it as inconclusive), never answered by a guess.
#pragma once
#include <mpfr.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace attncert::core {

// The precision limit was reached before an enclosure could decide.
struct Undecided : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Calls attempt(prec) for prec = start, 2 start, ... up to limit; returns the first engaged result.
// `attempt` returns std::optional<T>: nullopt means "too wide at this precision". Throws Undecided
// naming `what` when even `limit` does not decide.
template <class Attempt>
auto refine(Attempt attempt, const std::string& what, mpfr_prec_t start = 64, mpfr_prec_t limit = 1 << 14)
    -> typename decltype(attempt(start))::value_type {
  for (mpfr_prec_t prec = start; prec <= limit; prec *= 2)
    if (auto r = attempt(prec)) return *r;
  throw Undecided(what + ": undecided at the precision limit of " + std::to_string(limit) + " bits");
}

}  // namespace attncert::core
