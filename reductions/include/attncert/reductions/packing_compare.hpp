// The constructions the exact packing numbers are compared with (verify packing's table): the best
// linear code among T2's candidates, and random keys kept greedily. Kept apart from packing.hpp and
// codes.hpp, whose `Code` types differ.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace attncert::reductions {

// The largest linear subcode (first j generator rows) with minimum distance >= D among T2's
// candidate codes of length d (t2.hpp: Reed-Muller, BCH, extended BCH, fitted to length d); the
// distance by exact Gray enumeration. size 0 and an empty name when none has distance >= D.
struct LinearChoice {
  std::uint64_t size = 0;
  std::string name;
};
LinearChoice best_linear_code(std::size_t d, std::size_t D);

// Random keys: `draws` uniform words of {±1}^d (xoshiro256ss from `seed`), each kept when it is at
// distance >= D from every kept word; returns how many were kept. d <= 16.
std::uint64_t random_greedy_packing(int d, int D, std::uint64_t seed, std::uint64_t draws);

}  // namespace attncert::reductions
