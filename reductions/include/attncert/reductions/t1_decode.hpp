// T1 end-to-end decoding check (issue: "what a sceptic wants to see"): Bob's attention output is
// enclosed exactly, perturbed adversarially within the notion, decoded, and compared with Alice's bits.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attncert/reductions/t1.hpp"

namespace attncert::reductions {

// Enclosure of Bob's output Z for row i. Every score is C - 2Ck/d with k = popcount(s_i ^ s_j), so
// Z_l = (v_il + sum_k e^{-2Ck/d} A_k[l]) / (1 + sum_k e^{-2Ck/d} h_i[k] + e^{-C}), A_k[l] summing the
// values of the keys at distance k: an exact rewriting of Attn with d + 2 exponentials.
std::vector<core::Interval> bob_output(const H1Instance& inst, std::size_t i, mpfr_prec_t prec = 128);

struct DecodeReport {
  std::size_t rows = 0, bits = 0, recovered = 0;  // rows and bits checked; bits that came back
  std::size_t certified_bits = 0;                  // bits the certificate promises (d - flips_i per row)
  std::size_t worst_flips = 0;                     // largest adversarial flip count seen (l2)
  bool ok = true;                                  // every promised bit came back, flips <= F_i
  std::string detail;                              // first failure, if any
};

// Checks `rows` rows (all rows when rows >= N), chosen evenly spaced, against the report's per-row
// promises: rel/abs perturb every coordinate by the most the notion allows toward a sign flip;
// l2 spends the budget eta ||Z|| flipping the cheapest coordinates first.
DecodeReport decode_check(const H1Instance& inst, const T1Report& rep, std::size_t rows);

// The same check for any instance whose Bob output is enclosed by `bob(i, prec)` (T5 reuses it):
// Alice's bits are the signs of row i of x, the notion and eta come from prm, and row i promises
// d - flips[i] bits. Each row is refined from 128 to 1024 bits before a failure is believed.
DecodeReport decode_rows(const core::SignMatrix& x, const T1Params& prm, const std::vector<std::uint32_t>& flips,
                         std::size_t rows,
                         const std::function<std::vector<core::Interval>(std::size_t i, mpfr_prec_t prec)>& bob);

}  // namespace attncert::reductions
