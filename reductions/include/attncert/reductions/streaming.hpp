// Streaming attention (docs/theorems.md#subgen): an algorithm sees the tokens (k_t, v_t) one at a
// time, keeps some state, and answers Attn(q, K, V) = sum_j e^{<q,k_j>} v_j / sum_j e^{<q,k_j>}
// over the tokens seen so far (no 1/sqrt(d): a scale is part of q). Its memory is counted in
// words: every float or double of state it keeps between tokens, one word each (centers, samples,
// counts, weights). The KV-compression arena reuses this interface; SubGen (subgen.hpp) and the
// exact store-everything baseline below implement it.
//
// Everything here is floating point: an algorithm proposes an answer; certified_error
// (subgen.hpp) measures it against the exact reference.
#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace attncert::reductions {

class StreamingAttention {
 public:
  virtual ~StreamingAttention() = default;
  std::size_t dim() const { return d_; }
  std::size_t tokens() const { return n_; }  // tokens observed (bookkeeping, not counted as state)

  // One token. Throws ParameterError("key" / "value") unless both have dim() entries, all finite.
  void observe(std::span<const float> key, std::span<const float> value);
  // The estimate of Attn(q, K, V) over the tokens observed so far (dim() doubles). Throws
  // ParameterError("query") on a wrong size or a non-finite entry, std::logic_error before the
  // first token.
  std::vector<double> answer(std::span<const float> query) const;
  // Words of state kept now (floats and doubles, one word each).
  virtual std::size_t words_used() const = 0;
  virtual std::string name() const = 0;
  // An independent copy of the state (the T1 experiment appends Bob's token to a copy per row).
  virtual std::unique_ptr<StreamingAttention> clone() const = 0;

 protected:
  explicit StreamingAttention(std::size_t d);  // ParameterError("d") when d == 0
  virtual void do_observe(const float* key, const float* value) = 0;
  virtual void do_answer(const float* query, double* out) const = 0;

 private:
  std::size_t d_, n_ = 0;
};

// The baseline: stores every key and value (2 d words per token) and answers exactly in double
// (scores shifted by their maximum before exp).
class ExactAttention final : public StreamingAttention {
 public:
  explicit ExactAttention(std::size_t d) : StreamingAttention(d) {}
  std::size_t words_used() const override { return keys_.size() + values_.size(); }
  std::string name() const override { return "exact"; }
  std::unique_ptr<StreamingAttention> clone() const override { return std::make_unique<ExactAttention>(*this); }
  const std::vector<float>& keys() const { return keys_; }      // row-major, tokens() x dim()
  const std::vector<float>& values() const { return values_; }

 private:
  void do_observe(const float* key, const float* value) override;
  void do_answer(const float* query, double* out) const override;
  std::vector<float> keys_, values_;
};

}  // namespace attncert::reductions
