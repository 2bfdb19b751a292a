#include "attncert/gpu/problem.hpp"

namespace attncert::gpu {

const char* to_string(DType t) {
  switch (t) {
    case DType::f32: return "f32";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
  }
  return "?";
}
const char* to_string(KernelKind k) {
  switch (k) {
    case KernelKind::decode: return "decode";
    case KernelKind::split_decode: return "split-decode";
    case KernelKind::prefill: return "prefill";
  }
  return "?";
}
const char* to_string(Plant p) {
  switch (p) {
    case Plant::none: return "none";
    case Plant::drop_rescale: return "drop-rescale";
    case Plant::no_max_subtract: return "no-max-subtract";
  }
  return "?";
}
int significand_bits(DType t) { return t == DType::f32 ? 24 : t == DType::f16 ? 11 : 8; }
double unit_roundoff(DType t) { return t == DType::f32 ? 0x1p-24 : t == DType::f16 ? 0x1p-11 : 0x1p-8; }

}  // namespace attncert::gpu
