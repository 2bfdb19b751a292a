// gpu (docs/theorems.md#gpu): T7, float attention kernels checked element by element against a
// certified exact reference: |out - exact| <= bound for every output, on regenerated inputs.
#pragma once
#include "attncert/gpu/inputs.hpp"
#include "attncert/gpu/problem.hpp"
#include "attncert/verifiers/outcome.hpp"

namespace attncert::verifiers {

struct GpuOptions {
  gpu::InputSpec inputs;      // family, dtype, kernel, n, d, scale, amplitude (seed: CommonOptions)
  gpu::Schedule schedule;     // kind = inputs.kernel
  gpu::Device device = gpu::Device::host;
};

// Runs the kernel (host emulation, or CUDA), the fp32 naive baseline and the certified reference;
// certified when every element lies within its bound (and, for t1 inputs, INDEX decoding agrees),
// refuted when one does not (or NaN/Inf appears). Throws BadInput for parameters the kernel
// refuses and for `--device cuda` without a usable GPU.
Outcome verify_gpu(const GpuOptions& prm, const CommonOptions& opt);

}  // namespace attncert::verifiers
