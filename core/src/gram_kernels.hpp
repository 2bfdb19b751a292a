// Internal: the Gram-histogram kernels behind gram_histogram (sign_matrix.hpp).
#pragma once
#include "attncert/core/sign_matrix.hpp"

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#define ATTNCERT_GRAM_AVX512 1
#else
#define ATTNCERT_GRAM_AVX512 0
#endif

namespace attncert::core::detail {

// Fills hist (all zero on entry) and returns true, or returns false (hist untouched) when this
// build has no AVX-512 kernel, when d > 4096, or, for GramKernel::automatic, when more than 1 in 8
// sampled distances fall outside the kernel's counting window.
bool gram_histogram_avx512(const SignMatrix& s, GramHistogram& hist, const GramOptions& opt);

// The rectangular pair-product histograms (pair_product_histogram): fills hist (all zero on entry)
// and returns true, or returns false (hist untouched) in the same cases as above, the sample being
// distances popcount(x_r ^ a_j1 ^ b_j2).
bool pair_histogram_avx512(const SignMatrix& Q, const SignMatrix& A, const SignMatrix& B, GramHistogram& hist,
                           const GramOptions& opt);

}  // namespace attncert::core::detail
