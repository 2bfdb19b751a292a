// The long-double attention of problem.hpp (statistics and tests only).
#include <algorithm>
#include <cmath>
#include <vector>

#include "attncert/gpu/problem.hpp"

namespace attncert::gpu {

std::vector<long double> attention_long_double(const Problem& p) {
  std::vector<long double> out(static_cast<std::size_t>(p.rows) * p.d, 0.0L);
#pragma omp parallel for schedule(dynamic, 8)
  for (int r = 0; r < p.rows; ++r) {
    const int lo = p.lo[r], hi = p.hi[r];
    if (hi <= lo) continue;
    std::vector<long double> s(hi - lo);
    long double mx = -INFINITY;
    for (int j = lo; j < hi; ++j) {
      long double t = 0;
      for (int c = 0; c < p.d; ++c)
        t += static_cast<long double>(p.q[static_cast<std::size_t>(r) * p.d + c]) * p.k[static_cast<std::size_t>(j) * p.d + c];
      s[j - lo] = t * p.scale;
      mx = std::max(mx, s[j - lo]);
    }
    long double L = 0;
    std::vector<long double> A(p.d, 0.0L);
    for (int j = lo; j < hi; ++j) {
      const long double w = std::exp(s[j - lo] - mx);
      L += w;
      for (int c = 0; c < p.d; ++c) A[c] += w * p.v[static_cast<std::size_t>(j) * p.d + c];
    }
    for (int c = 0; c < p.d; ++c) out[static_cast<std::size_t>(r) * p.d + c] = A[c] / L;
  }
  return out;
}

}  // namespace attncert::gpu
