// Internal: the Gram-histogram kernels behind gram_histogram (sign_matrix.hpp).
#pragma once
#include "attncert/core/sign_matrix.hpp"

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#define ATTNCERT_GRAM_AVX512 1
#else
#define ATTNCERT_GRAM_AVX512 0
#endif

namespace attncert::core::detail {

// Fills hist (all zero on entry) and returns true, or returns false when this build or these
// dimensions have no AVX-512 kernel (then hist is untouched).
bool gram_histogram_avx512(const SignMatrix& s, GramHistogram& hist, const GramOptions& opt);

}  // namespace attncert::core::detail
