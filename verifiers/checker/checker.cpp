#include "checker/checker.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "checker/qarith.hpp"

namespace attncert::checker {

namespace {

using nlohmann::json;

struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Rejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& field(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw Malformed("missing field " + where + key);
  return j.at(key);
}

std::string text_field(const json& j, const std::string& key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_string()) throw Malformed("field " + where + key + " must be a string");
  return v.get<std::string>();
}

// Exact "p/q" or "p" (no spaces, no decimals), q != 0.
mpq_class rational(const std::string& s, const std::string& name) {
  auto ok = [](const std::string& t) {
    std::size_t i = (!t.empty() && t[0] == '-') ? 1 : 0;
    if (i >= t.size()) return false;
    for (; i < t.size(); ++i)
      if (t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  auto slash = s.find('/');
  std::string num = s.substr(0, slash), den = slash == std::string::npos ? "1" : s.substr(slash + 1);
  if (!ok(num) || !ok(den) || den[0] == '-' || den.find_first_not_of('0') == std::string::npos)
    throw Malformed(name + ": '" + s + "' is not an exact rational p/q");
  mpq_class q{mpz_class(num), mpz_class(den)};
  q.canonicalize();
  return q;
}

mpz_class integer(const std::string& s, const std::string& name) {
  mpq_class q = rational(s, name);
  if (q.get_den() != 1) throw Malformed(name + ": '" + s + "' is not an integer");
  return q.get_num();
}

mpz_class ceil_q(const mpq_class& q) {
  mpz_class r;
  mpz_cdiv_q(r.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  return r;
}

// Decides x <= t for the real x enclosed by enc(bits), refining; true/false, or throws Rejected.
template <class Enclose>
bool decide_le(Enclose enc, const mpq_class& t, const std::string& what) {
  for (unsigned bits = 64; bits <= 8192; bits *= 2) {
    QInterval e = enc(bits);
    if (e.hi <= t) return true;
    if (e.lo > t) return false;
  }
  throw Rejected(what + ": undecidable at the checker's precision limit");
}

// The stored interval [lo, hi] must contain the real value enclosed by enc.
template <class Enclose>
void check_contains(Enclose enc, const json& stored, const std::string& name) {
  mpq_class lo = rational(text_field(stored, "lo", name + "."), name + ".lo");
  mpq_class hi = rational(text_field(stored, "hi", name + "."), name + ".hi");
  if (lo > hi) throw Rejected(name + ": lo > hi");
  bool above_lo = decide_le([&](unsigned b) { QInterval e = enc(b); return QInterval{-e.hi, -e.lo}; }, -lo, name);
  if (!above_lo || !decide_le(enc, hi, name)) throw Rejected(name + " does not contain the true value");
}

// ---- INDEX (spec §1) ----
void check_index(const json& c) {
  const json& prm = field(c, "parameters", "");
  mpz_class N = integer(text_field(prm, "N", "parameters."), "parameters.N");
  mpq_class p = rational(text_field(prm, "p", "parameters."), "parameters.p");
  if (N < 1) throw Malformed("parameters.N must be >= 1");
  if (p < 0 || p > mpq_class(1, 2)) throw Malformed("parameters.p must lie in [0, 1/2]");
  const json& claim = field(c, "claim", "");
  if (text_field(claim, "kind", "claim.") != "one_way_message_bits_lower_bound")
    throw Malformed("claim.kind is not one_way_message_bits_lower_bound");
  mpq_class bits = rational(text_field(claim, "bits", "claim."), "claim.bits");
  mpz_class bits_ceil = integer(text_field(claim, "bits_ceil", "claim."), "claim.bits_ceil");
  auto h2 = [&](unsigned b) { return q_h2(p, b); };
  check_contains(h2, field(field(c, "derived", ""), "H2(p)", "derived."), "derived.H2(p)");
  // bits <= N (1 - H2(p))  <=>  H2(p) <= 1 - bits / N
  if (!decide_le(h2, 1 - bits / mpq_class(N), "claim.bits"))
    throw Rejected("claim.bits exceeds N(1 - H2(p))");
  if (bits_ceil != ceil_q(bits)) throw Rejected("claim.bits_ceil is not ceil(claim.bits)");
}

// ---- Seeded sign keys: an independent copy of generator "signs" v1 over "xoshiro256ss" v1 ----
struct Xoshiro {
  std::uint64_t s[4];
  explicit Xoshiro(std::uint64_t seed) {
    for (auto& w : s) {
      seed += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      w = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    std::uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
    return r;
  }
};

struct Keys {
  std::size_t n, d, words;
  std::vector<std::uint64_t> bits;  // bit 1 = -1
  long inner(std::size_t i, std::size_t j) const {
    long pc = 0;
    for (std::size_t w = 0; w < words; ++w) pc += __builtin_popcountll(bits[i * words + w] ^ bits[j * words + w]);
    return static_cast<long>(d) - 2 * pc;
  }
};

Keys regenerate_keys(const json& inst, std::size_t n, std::size_t d) {
  if (text_field(inst, "generator", "instance.") != "signs" || field(inst, "generator_version", "instance.") != 1 ||
      text_field(inst, "rng", "instance.") != "xoshiro256ss" || field(inst, "rng_version", "instance.") != 1)
    throw Malformed("instance: unknown generator (this checker knows signs v1 over xoshiro256ss v1)");
  mpz_class seed = integer(text_field(inst, "seed", "instance."), "instance.seed");
  if (seed < 0 || seed > mpz_class("18446744073709551615")) throw Malformed("instance.seed out of range");
  std::uint64_t sd = 0;
  mpz_class tmp = seed;
  for (int k = 0; k < 64; k += 32) {  // portable 64-bit extraction
    sd |= static_cast<std::uint64_t>(mpz_class(tmp % mpz_class(4294967296u)).get_ui()) << k;
    tmp /= mpz_class(4294967296u);
  }
  Keys K{n, d, (d + 63) / 64, {}};
  K.bits.resize(n * K.words);
  Xoshiro rng(sd);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t w = 0; w < K.words; ++w) K.bits[i * K.words + w] = rng.next();
    if (d % 64) K.bits[i * K.words + K.words - 1] &= (std::uint64_t{1} << (d % 64)) - 1;
  }
  return K;
}

std::size_t small_count(const json& prm, const std::string& key, std::size_t lo, std::size_t hi) {
  mpz_class v = integer(text_field(prm, key, "parameters."), "parameters." + key);
  if (v < lo || v > hi) throw Malformed("parameters." + key + " out of range");
  return v.get_ui();
}

// ---- Gram statistics of seeded keys ----
void check_gram(const json& c) {
  const json& prm = field(c, "parameters", "");
  std::size_t n = small_count(prm, "N", 2, 1u << 20), d = small_count(prm, "d", 1, 65535);
  Keys K = regenerate_keys(field(c, "instance", ""), n, d);
  std::map<long, std::uint64_t> hist;
  long maxip = -static_cast<long>(d) - 1;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      long ip = K.inner(i, j);
      hist[ip] += 1;
      maxip = std::max(maxip, ip);
    }
  const json& stored = field(field(c, "statistics", ""), "inner_product_histogram", "statistics.");
  if (!stored.is_object() || stored.size() != hist.size())
    throw Rejected("statistics.inner_product_histogram differs from the regenerated instance");
  for (const auto& [ip, cnt] : hist) {
    std::string key = std::to_string(ip);
    if (!stored.contains(key) || !stored.at(key).is_number_unsigned() || stored.at(key).get<std::uint64_t>() != cnt)
      throw Rejected("statistics.inner_product_histogram[" + key + "] differs from the regenerated instance");
  }
  const json& claim = field(c, "claim", "");
  if (text_field(claim, "kind", "claim.") != "max_off_diagonal_inner_product")
    throw Malformed("claim.kind is not max_off_diagonal_inner_product");
  const json& mi = field(claim, "max_inner", "claim.");
  if (!mi.is_number_integer() || mi.get<long>() != maxip) throw Rejected("claim.max_inner is not the maximum inner product");
  mpq_class rho = rational(text_field(claim, "rho", "claim."), "claim.rho");
  mpq_class exact_rho(maxip, static_cast<unsigned long>(d));
  exact_rho.canonicalize();
  if (rho != exact_rho) throw Rejected("claim.rho is not max_inner / d");
  const json& w = field(claim, "witness", "claim.");
  if (!w.is_array() || w.size() != 2 || !w[0].is_number_unsigned() || !w[1].is_number_unsigned())
    throw Malformed("claim.witness must be a pair of row indices");
  std::size_t wi = w[0].get<std::size_t>(), wj = w[1].get<std::size_t>();
  if (wi >= n || wj >= n || wi == wj || K.inner(wi, wj) != maxip)
    throw Rejected("claim.witness does not attain max_inner");
  if (claim.contains("rho_max")) {
    mpq_class rmax = rational(text_field(claim, "rho_max", "claim."), "claim.rho_max");
    bool holds = !claim.contains("holds") || claim.at("holds") == true;
    if (holds != (rho <= rmax)) throw Rejected(holds ? "claim: rho exceeds rho_max" : "claim: refutation does not hold");
  }
}

}  // namespace

CheckResult check_certificate_text(const std::string& text) {
  CheckResult r{Verdict::malformed, "?", ""};
  try {
    json c = json::parse(text);
    if (text_field(c, "format", "") != "attncert-certificate") throw Malformed("not an attncert certificate");
    const json& v = field(c, "format_version", "");
    if (!v.is_number_integer() || v.get<long>() != 1)
      throw Malformed("unknown format_version " + v.dump() + " (this checker reads version 1)");
    r.theorem = text_field(c, "theorem", "");
    if (r.theorem == "index") check_index(c);
    else if (r.theorem == "gram") check_gram(c);
    else throw Malformed("unknown theorem '" + r.theorem + "'");
    r.verdict = Verdict::accepted;
    r.message = "all claims re-derived";
  } catch (const Rejected& e) {
    r.verdict = Verdict::rejected;
    r.message = e.what();
  } catch (const Malformed& e) {
    r.message = e.what();
  } catch (const json::exception& e) {
    r.message = std::string("malformed JSON: ") + e.what();
  } catch (const std::exception& e) {  // domain errors from qarith on out-of-range data
    r.message = std::string("malformed: ") + e.what();
  }
  return r;
}

int check_files_main(const std::vector<std::string>& files, bool quiet) {
  int rc = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    CheckResult r;
    if (!in) {
      r = {Verdict::malformed, "?", "cannot read file"};
    } else {
      std::ostringstream ss;
      ss << in.rdbuf();
      r = check_certificate_text(ss.str());
    }
    const char* tag = r.verdict == Verdict::accepted ? "ACCEPTED" : r.verdict == Verdict::rejected ? "REJECTED" : "MALFORMED";
    if (!quiet) std::printf("%s: %s (%s): %s\n", f.c_str(), tag, r.theorem.c_str(), r.message.c_str());
    if (r.verdict == Verdict::malformed) rc = 2;
    else if (r.verdict == Verdict::rejected && rc == 0) rc = 1;
  }
  return rc;
}

}  // namespace attncert::checker
