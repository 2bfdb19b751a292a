// T7: run_cuda in a build without CUDA (nvcc not found at configure time). With CUDA the
// definitions come from gpu_check/cuda/launch.cu and this file compiles to nothing.
#ifndef ATTNCERT_WITH_CUDA
#include "attncert/gpu/checks.hpp"
#include "attncert/gpu/problem.hpp"

namespace attncert::gpu {

std::string cuda_unavailable_reason() { return "--device cuda: this build has no CUDA (nvcc was not found)"; }

std::vector<float> run_cuda(const Problem& p, const Schedule& sched) {
  detail::check_problem(p, sched);  // bad input is still bad input
  throw DeviceUnavailable(cuda_unavailable_reason());
}

}  // namespace attncert::gpu
#endif
