// SubGen on a T2 row's hard instance (docs/theorems.md#t2, "SubGen against the bound"): the row's
// keys B s_j with values (-1)^{x_j} for seeded random bits x, Bob's token (key 0, value 0), and
// Bob's query B s_i for a spread of rows i; Alice's bits are read off the signs of SubGen's answer.
// Floating point throughout (SubGen proposes); the certified row says what no cache can beat.
#pragma once
#include <cstdint>
#include <string>

#include "attncert/reductions/subgen.hpp"
#include "attncert/reductions/t2.hpp"

namespace attncert::reductions {

struct SubGenOnRow {
  std::size_t words = 0;        // SubGen's state after Alice's N tokens
  std::size_t clusters = 0;
  std::size_t exact_words = 0;  // the store-everything cache: 2 N d
  double floor_words = 0;       // the row's certified bits / 32
  double decoded = 0;           // fraction of the tested bits read correctly
  std::size_t rows_tested = 0;
  std::string verdict;          // "no memory saved", "fails to decode", "saves and decodes" (never below the floor)
};
// Throws ParameterError from check_subgen_params ("r", "t", "s") and std::logic_error for an
// uncertified row.
SubGenOnRow subgen_on_row(const T2Row& row, const SubGenParams& p, std::size_t rows_to_decode = 16);

}  // namespace attncert::reductions
