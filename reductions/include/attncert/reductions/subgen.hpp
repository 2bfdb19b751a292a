// SubGen (Zandieh, Han, Mirrokni, Karbasi 2024; docs/theorems.md#subgen): sublinear-memory
// streaming attention for keys that cluster, and the certified measurement of its error.
//
// State and rules (our choices where the paper leaves freedom are marked "choice"):
// - Key clustering, radius r (l2). A new key joins the *nearest* existing center if its distance
//   is <= r (ties: the older cluster), else it opens a new cluster whose center is that key
//   (choice: nearest, not first; centers never move). Distances are compared as squared float
//   distances against r^2 (the algorithm proposes; nothing here is certified).
// - Per cluster c: its count n_c and a uniform sample S_c of min(n_c, t) of its keys, without
//   replacement (reservoir sampling, Vitter's algorithm R: the i-th key of the cluster, i > t,
//   replaces a uniformly chosen slot with probability t/i). The partition function is estimated by
//     tau = sum_c (n_c / |S_c|) sum_{k in S_c} e^{<q,k>},
//   unbiased for sum_j e^{<q,k_j>}, and exact (up to float rounding) when t >= every n_c.
// - Value samples: s independent l2 samplers *with replacement* (as SubGen): sampler i holds one
//   token (k, v), drawn with probability ||v||^2 / W, W = sum_j ||v_j||^2 (the stream's total).
//   Each is a one-item weighted reservoir; the next time it is replaced is drawn ahead: after a
//   replacement at cumulative weight W0 it is replaced next at the first token whose cumulative
//   weight exceeds W0/u, u uniform in (0, 1] (P[no replacement up to weight W] = prod (1 - w_j/W_j)
//   = W0/W), so observe() compares W with the smallest threshold only; when it passes, every
//   sampler is checked and the minimum recomputed (expected O(s log W) such events in all).
//   The numerator is estimated by
//     num = (W / s) sum_i e^{<q,k_i>} v_i / ||v_i||^2,
//   unbiased for sum_j e^{<q,k_j>} v_j (tokens with v = 0 carry no weight and contribute 0).
// - answer(q) = num / tau, with all exponents shifted by their maximum (the shift cancels).
// Words: per cluster d (center) + 1 (count) + d |S_c|; per filled sampler 2d + 1 (key, value,
// ||v||^2); s (the samplers' thresholds) + 2 (W and the cached smallest threshold). words_used() returns exactly that sum, which is
// the number of floats/doubles held (tests/test_subgen.cpp checks it against the containers).
// The paper's guarantee ||z - Attn||_2 <= eps ||softmax(Kq)||_2 ||V||_op holds w.h.p. once t and
// s are large enough (s = O(d / eps^2); t grows with 1/eps^2, log n and exponentially in the query
// norm times r); with m clusters the state is O(d (m t + s)) words, independent of n when m is.
#pragma once
#include <cstdint>
#include <vector>

#include "attncert/core/interval.hpp"
#include "attncert/core/rng.hpp"
#include "attncert/reductions/streaming.hpp"

namespace attncert::reductions {

struct SubGenParams {
  double r = 1.0;          // cluster radius, > 0 and finite        (ParameterError "r")
  std::size_t t = 16;      // key samples per cluster, >= 1         (ParameterError "t")
  std::size_t s = 256;     // value samples, >= 1                   (ParameterError "s")
  std::uint64_t seed = 1;  // core::Xoshiro256ss v1
};
void check_subgen_params(const SubGenParams& p);  // throws ParameterError naming the parameter

class SubGen final : public StreamingAttention {
 public:
  SubGen(std::size_t d, const SubGenParams& p);  // validates d and p
  std::size_t words_used() const override;
  std::string name() const override { return "subgen"; }
  std::unique_ptr<StreamingAttention> clone() const override { return std::make_unique<SubGen>(*this); }

  const SubGenParams& params() const { return p_; }
  std::size_t clusters() const { return counts_.size(); }
  double cluster_count(std::size_t c) const { return counts_[c]; }
  std::size_t cluster_samples(std::size_t c) const { return samples_[c].size() / dim(); }
  std::size_t value_samples() const { return filled_; }  // samplers holding a token (<= s)
  double total_weight() const { return W_; }
  // The two estimates answer() divides, for the tests: tau (partition function) and num (the
  // numerator, dim() entries), both multiplied by e^{-shift} for the returned shift. Same errors
  // as answer() for a wrong query size or an empty stream.
  struct Estimates { double shift, tau; std::vector<double> num; };
  Estimates estimates(std::span<const float> query) const;

 private:
  void do_observe(const float* key, const float* value) override;
  void do_answer(const float* query, double* out) const override;
  double uniform01();  // in (0, 1]

  SubGenParams p_;
  float r2_;
  core::Xoshiro256ss rng_;
  std::vector<float> centers_;               // clusters x d
  std::vector<double> counts_;               // n_c
  std::vector<std::vector<float>> samples_;  // per cluster: |S_c| x d
  std::vector<float> vkeys_, vvals_;         // s x d each (slot i valid once filled)
  std::vector<double> vnorm2_;               // s
  std::vector<double> thresholds_;           // s: sampler i is replaced once W exceeds thresholds_[i]
  double min_threshold_ = 0;                 // min_i thresholds_[i] (a cache: one compare per token)
  std::size_t filled_ = 0;
  double W_ = 0;
};

// ||z - Attn(q, K, V)||_2 for a proposed answer z, measured against core::attention_reference on
// the exact rationals of the float inputs (K, V row-major n x d). Every field is an enclosure.
// Scale of the guarantee: ||softmax(Kq)||_2 ||V||_op. ||V||_op is bracketed: from above by the
// Frobenius norm ||V||_F, from below by ||V x||_2 / ||x||_2 for the power-iteration vector x
// (computed exactly in rationals), so
//   rel_lo = err_lo / (sm_hi ||V||_F)      <= err / (||softmax|| ||V||_op) <=
//   rel_hi = err_hi / (sm_lo ||V x||/||x||).
struct CertifiedError {
  core::Interval err;           // ||z - Attn||_2
  core::Interval attn_norm;     // ||Attn||_2 (for a plain relative error err / ||Attn||)
  core::Interval softmax_norm;  // ||softmax(Kq)||_2
  core::Interval v_frobenius;   // ||V||_F
  core::Interval v_op_lower;    // ||V x|| / ||x|| <= ||V||_op
  double rel_lo = 0, rel_hi = 0;  // the bracket above, rounded outward to double
};
CertifiedError certified_error(std::span<const double> z, std::span<const float> q, std::span<const float> K,
                               std::span<const float> V, std::size_t d, mpfr_prec_t prec = 128);

}  // namespace attncert::reductions
