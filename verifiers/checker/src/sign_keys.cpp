#include "sign_keys.hpp"

#include <omp.h>

#include <algorithm>
#include <exception>

#include "json_strict.hpp"

namespace attncert::checker {

Keys KeySource::generate(std::size_t n, std::size_t d) const {
  switch (kind) {
    case Kind::random: return signs_v1(seed, n, d);
    case Kind::hadamard: return sylvester_hadamard_v1(n, d);
    case Kind::rows: return explicit_rows(rows, d);
  }
  throw Malformed("instance: unknown key source");
}

namespace {
KeySource seeded(const json& inst) {
  if (text(inst, "instance", "generator") != "signs" || text(inst, "instance", "rng") != "xoshiro256ss")
    throw Malformed("instance: unknown generator (this checker knows signs v1 over xoshiro256ss v1)");
  version_one(inst, "instance", "generator_version");
  version_one(inst, "instance", "rng_version");
  KeySource s;
  s.seed = integer_in(inst, "instance", "seed", 0, UINT64_MAX);
  return s;
}
}  // namespace

KeySource read_key_source(const json& inst, bool with_keys_field, std::size_t n, std::size_t d) {
  if (!with_keys_field) {
    expect_keys(inst, "instance", {"generator", "generator_version", "rng", "rng_version", "seed"});
    return seeded(inst);
  }
  const std::string kind = text(inst, "instance", "keys");
  if (kind == "random") {
    expect_keys(inst, "instance", {"keys", "generator", "generator_version", "rng", "rng_version", "seed"});
    return seeded(inst);
  }
  KeySource s;
  if (kind == "hadamard") {
    expect_keys(inst, "instance", {"keys", "generator", "generator_version"});
    if (text(inst, "instance", "generator") != "sylvester-hadamard")
      throw Malformed("instance: unknown generator (this checker knows sylvester-hadamard v1)");
    version_one(inst, "instance", "generator_version");
    if ((d & (d - 1)) != 0 || n > 2 * d) throw Malformed("instance: hadamard keys need d a power of two and N <= 2d");
    s.kind = KeySource::Kind::hadamard;
    return s;
  }
  if (kind != "explicit") throw Malformed("instance.keys: unknown key source '" + kind + "'");
  expect_keys(inst, "instance", {"keys", "rows"});
  const json& rows = inst.at("rows");
  if (!rows.is_array() || rows.size() != n) throw Malformed("instance.rows must hold N rows");
  s.kind = KeySource::Kind::rows;
  for (const json& r : rows) {
    if (!r.is_string() || r.get<std::string>().size() != d) throw Malformed("instance.rows: a row is not d signs");
    s.rows.push_back(r.get<std::string>());
    if (s.rows.back().find_first_not_of("+-") != std::string::npos)
      throw Malformed("instance.rows: characters must be + or -");
  }
  return s;
}

PairHistogram read_histogram(const json& stats, const std::string& where, std::size_t n, std::size_t d) {
  const std::string name = path(where, "inner_product_histogram");
  const json& h = member(stats, where, "inner_product_histogram");
  if (!h.is_object()) throw Malformed(name + " must be a JSON object");
  const std::uint64_t pairs = std::uint64_t{n} * (n - 1) / 2;
  PairHistogram out{std::vector<std::uint64_t>(d + 1, 0), 0};
  std::uint64_t sum = 0;
  bool first = true;
  for (const auto& item : h.items()) {
    const std::string at = name + "[" + item.key() + "]";
    mpz_class ip = canonical_integer(item.key(), at);
    if (!item.value().is_number_unsigned() || item.value().get<std::uint64_t>() == 0)
      throw Malformed(at + " must be a positive JSON integer (pairs with that inner product)");
    const mpz_class dz(static_cast<unsigned long>(d));
    if (ip < -dz || ip > dz || mpz_class(dz - ip) % 2 != 0)
      throw Rejected(at + ": not an inner product of two " + std::to_string(d) + "-dimensional sign vectors");
    const long inner = ip.get_si();
    const std::uint64_t count = item.value().get<std::uint64_t>();
    if (count > pairs - sum) throw Rejected(name + ": counts sum to more than N(N-1)/2 = " + std::to_string(pairs));
    sum += count;
    out.by_differing[static_cast<std::size_t>((static_cast<long>(d) - inner) / 2)] = count;
    if (first || inner > out.max_inner) out.max_inner = inner;
    first = false;
  }
  if (sum != pairs) throw Rejected(name + ": counts sum to " + std::to_string(sum) + ", not N(N-1)/2 = " + std::to_string(pairs));
  return out;
}

namespace {
// One row of the double loop: h[k] = #{j != i : s_i and s_j differ in k signs}. Words > 0 is the
// number of 64-bit words per key fixed at compile time, so that the popcount loop unrolls (twice
// as fast for d = 256); Words = 0 reads it from K. Same loop either way.
template <std::size_t Words>
void row_histogram(const Keys& K, std::size_t i, std::uint32_t* h) {
  const std::size_t words = Words ? Words : K.words;
  std::fill(h, h + K.d + 1, 0);
  const std::uint64_t* a = K.row(i);
  for (std::size_t j = 0; j < K.n; ++j) {
    if (j == i) continue;
    const std::uint64_t* b = K.row(j);
    unsigned differ = 0;
    for (std::size_t w = 0; w < words; ++w) differ += static_cast<unsigned>(__builtin_popcountll(a[w] ^ b[w]));
    ++h[differ];
  }
}
}  // namespace

std::vector<std::uint64_t> row_histograms(const Keys& K, int threads, const RowFn& row) {
  const std::size_t d = K.d;
  auto one_row = K.words == 1 ? &row_histogram<1> : K.words == 2 ? &row_histogram<2> : K.words == 3 ? &row_histogram<3>
               : K.words == 4 ? &row_histogram<4> : &row_histogram<0>;
  std::vector<std::uint64_t> total(d + 1, 0);
  std::exception_ptr failure;  // exceptions must not leave an OpenMP region; rethrown below
#pragma omp parallel num_threads(threads > 0 ? threads : omp_get_max_threads())
  {
    std::vector<std::uint32_t> h(d + 1);
    std::vector<std::uint64_t> mine(d + 1, 0);
#pragma omp for schedule(dynamic, 16)
    for (std::size_t i = 0; i < K.n; ++i) {
      one_row(K, i, h.data());
      for (std::size_t k = 0; k <= d; ++k) mine[k] += h[k];
      try {
        row(i, h.data());
      } catch (...) {
#pragma omp critical(attncert_checker_failure)
        if (!failure) failure = std::current_exception();
      }
    }
#pragma omp critical(attncert_checker_total)
    for (std::size_t k = 0; k <= d; ++k) total[k] += mine[k];
  }
  if (failure) std::rethrow_exception(failure);
  return total;
}

void expect_same_histogram(const PairHistogram& stored, const std::vector<std::uint64_t>& twice, std::size_t d,
                           const std::string& where) {
  for (std::size_t k = 0; k <= d; ++k)
    if (twice[k] % 2 != 0 || twice[k] / 2 != stored.by_differing[k])
      throw Rejected(path(where, "inner_product_histogram") + "[" + std::to_string(static_cast<long>(d) - 2 * static_cast<long>(k)) +
                     "] differs from the regenerated instance");
}

}  // namespace attncert::checker
