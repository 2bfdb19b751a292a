// What every theorem check sees: the parsed certificate, the options, and the three ways a check
// can end other than acceptance. One check_<id> per theorem id in cmake/theorems.cmake.
#pragma once
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "attncert/checker/checker.hpp"

namespace attncert::checker {

using nlohmann::json;

// Thrown by checks; the driver maps each to its verdict. The message names the first failing field.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Rejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Inconclusive : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Cert {
  const json& doc;          // the whole certificate; format, format_version, theorem, producer checked
  const CheckOptions& opt;
  mutable std::string summary = "all claims re-derived";  // a check may say more on acceptance

  // The top level holds exactly the common fields plus the theorem's own sections (e.g. "derived").
  void expect_sections(std::initializer_list<const char*> theorem_sections) const;
  // Refuses (as malformed) a certificate needing more than opt.max_pairs key pairs recomputed; a
  // pair of d-coordinate keys counts ceil(d/256) pairs (the work grows with d).
  void within_budget(std::uint64_t keys, std::uint64_t d) const;
};

// One check per theorem: returns on acceptance, else throws one of the types above.
#define ATTNCERT_THEOREM(id) void check_##id(const Cert&);
#include "attncert/theorem_list.inc"
#undef ATTNCERT_THEOREM

}  // namespace attncert::checker
