// Producer limits = checker limits: whatever the independent checker would reject as malformed,
// the producer refuses first as bad input (docs/certificates.md, "Limits").
#include <catch2/catch.hpp>
#include <fstream>

#include "attncert/checker/checker.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/reductions/limits.hpp"
#include "attncert/reductions/t1.hpp"
#include "attncert/reductions/t1_setup.hpp"
#include "attncert/verifiers/umbrella.hpp"

using namespace attncert;
namespace lim = attncert::reductions::limits;

TEST_CASE("the producer's limits are the checker's", "[limits]") {
  const auto chk = checker::format_limits();
  CHECK(chk.max_keys == lim::max_keys);
  CHECK(chk.max_dim == lim::max_dim);
  CHECK(chk.max_C_num == lim::max_C);
}

TEST_CASE("the producer refuses inputs beyond the limits as bad input, naming the parameter", "[limits]") {
  using reductions::ParameterError;
  CHECK_NOTHROW(reductions::check_C(core::Rational(core::Integer(lim::max_C))));
  CHECK_THROWS_AS(reductions::check_C(core::Rational(core::Integer(lim::max_C)) + core::Rational(1, 1000)), ParameterError);
  CHECK_THROWS_AS(reductions::check_C(0), ParameterError);
  reductions::T1Request r;
  r.n = lim::max_keys + 2;  // N = 2^20 + 1 keys
  CHECK_THROWS_AS(reductions::resolve_t1(r), ParameterError);
  r.n = 8;
  r.d = lim::max_dim + 1;
  try {
    reductions::resolve_t1(r);
    FAIL("d beyond the limit accepted");
  } catch (const ParameterError& e) {
    CHECK(e.parameter == "d");
  }
  // A key file wider than max_dim is refused while reading.
  const std::string path = "attncert_test_wide_keys.txt";
  std::ofstream(path) << std::string(lim::max_dim + 1, '+') << "\n";
  reductions::T1Request file_request;
  file_request.keys = reductions::parse_key_source("file:" + path, 1);
  try {
    reductions::resolve_t1(file_request);
    FAIL("wide key file accepted");
  } catch (const ParameterError& e) {
    CHECK(e.parameter == "keys");
    CHECK(e.detail.find("exceeds") != std::string::npos);
  }
  std::remove(path.c_str());
  // The CLI: gram's N and d at and beyond the limits.
  auto cli = [](std::vector<const char*> a) {
    a.insert(a.begin(), "attncert");
    return verifiers::umbrella_main(static_cast<int>(a.size()), a.data());
  };
  CHECK(cli({"verify", "gram", "--N", "1048577", "--d", "8", "--quiet"}) == 2);
  CHECK(cli({"verify", "gram", "--N", "16", "--d", "65536", "--quiet"}) == 2);
  CHECK(cli({"verify", "t1", "--n", "1048578", "--d", "8", "--quiet"}) == 2);
  CHECK(cli({"verify", "t1", "--n", "16", "--d", "65536", "--quiet"}) == 2);
}
