#include "attncert/checker/checker.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "qarith.hpp"

namespace attncert::checker {

namespace {

using nlohmann::json;

struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Rejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A JSON integer equal to v, compared without wrap-around (huge unsigned values never match).
bool equals_integer(const json& x, long v) {
  if (x.is_number_unsigned()) return v >= 0 && x.get<std::uint64_t>() == static_cast<std::uint64_t>(v);
  return x.is_number_integer() && x.get<std::int64_t>() == v;
}

const json& field(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw Malformed("missing field " + where + key);
  return j.at(key);
}

std::string text_field(const json& j, const std::string& key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_string()) throw Malformed("field " + where + key + " must be a string");
  return v.get<std::string>();
}

// Exact "p/q" or "p" in decimal with one spelling per number: digits only, no leading zeros,
// no "-0", no sign on q, q != 0 (GMP's default base 0 would read "0700" as octal 448).
mpq_class rational(const std::string& s, const std::string& name) {
  auto ok = [](const std::string& t, bool sign_allowed) {
    std::size_t i = (sign_allowed && !t.empty() && t[0] == '-') ? 1 : 0;
    if (i >= t.size()) return false;
    for (std::size_t k = i; k < t.size(); ++k)
      if (t[k] < '0' || t[k] > '9') return false;
    if (t[i] == '0' && (t.size() > i + 1 || i == 1)) return false;  // leading zero, or "-0"
    return true;
  };
  auto slash = s.find('/');
  std::string num = s.substr(0, slash), den = slash == std::string::npos ? "1" : s.substr(slash + 1);
  if (!ok(num, true) || !ok(den, false) || den == "0")
    throw Malformed(name + ": '" + s + "' is not an exact rational p/q in canonical decimal");
  mpq_class q{mpz_class(num, 10), mpz_class(den, 10)};
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

Keys random_keys(const json& inst, std::size_t n, std::size_t d) {
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

void set_neg(Keys& K, std::size_t i, std::size_t c) { K.bits[i * K.words + c / 64] |= std::uint64_t{1} << (c % 64); }

// "sylvester-hadamard" v1: rows h_0..h_{d-1}, then -h_0..-h_{d-1}; h_r[c] = (-1)^{popcount(r & c)}.
Keys hadamard_keys(const json& inst, std::size_t n, std::size_t d) {
  if (text_field(inst, "generator", "instance.") != "sylvester-hadamard" || field(inst, "generator_version", "instance.") != 1)
    throw Malformed("instance: unknown generator (this checker knows sylvester-hadamard v1)");
  if ((d & (d - 1)) != 0 || n > 2 * d) throw Malformed("instance: hadamard keys need d a power of two and N <= 2d");
  Keys K{n, d, (d + 63) / 64, std::vector<std::uint64_t>(n * ((d + 63) / 64), 0)};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c)
      if (((__builtin_popcountll((i % d) & c) & 1) != 0) != (i >= d)) set_neg(K, i, c);
  return K;
}

Keys explicit_keys(const json& inst, std::size_t n, std::size_t d) {
  const json& rows = field(inst, "rows", "instance.");
  if (!rows.is_array() || rows.size() != n) throw Malformed("instance.rows must hold N rows");
  Keys K{n, d, (d + 63) / 64, std::vector<std::uint64_t>(n * ((d + 63) / 64), 0)};
  for (std::size_t i = 0; i < n; ++i) {
    if (!rows[i].is_string() || rows[i].get<std::string>().size() != d) throw Malformed("instance.rows: a row is not d signs");
    const std::string r = rows[i].get<std::string>();
    for (std::size_t c = 0; c < d; ++c) {
      if (r[c] == '-') set_neg(K, i, c);
      else if (r[c] != '+') throw Malformed("instance.rows: characters must be + or -");
    }
  }
  return K;
}

Keys load_keys(const json& inst, std::size_t n, std::size_t d) {
  std::string kind = inst.contains("keys") ? text_field(inst, "keys", "instance.") : "random";
  if (kind == "random") return random_keys(inst, n, d);
  if (kind == "hadamard") return hadamard_keys(inst, n, d);
  if (kind == "explicit") return explicit_keys(inst, n, d);
  throw Malformed("instance.keys: unknown key source '" + kind + "'");
}

// Naive per-row histograms h[i * (d + 1) + k] = #{j != i : popcount(s_i ^ s_j) = k}.
std::vector<std::uint32_t> row_histograms(const Keys& K) {
  std::vector<std::uint32_t> h(K.n * (K.d + 1), 0);
  for (std::size_t i = 0; i < K.n; ++i)
    for (std::size_t j = i + 1; j < K.n; ++j) {
      std::size_t k = static_cast<std::size_t>((static_cast<long>(K.d) - K.inner(i, j)) / 2);
      h[i * (K.d + 1) + k] += 1;
      h[j * (K.d + 1) + k] += 1;
    }
  return h;
}

// The stored global histogram (unordered pairs) and max inner product must match the keys.
long check_global_histogram(const json& stats, const std::vector<std::uint32_t>& h, std::size_t n, std::size_t d) {
  std::map<long, std::uint64_t> hist;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k <= d; ++k)
      if (h[i * (d + 1) + k]) hist[static_cast<long>(d) - 2 * static_cast<long>(k)] += h[i * (d + 1) + k];
  const json& stored = field(stats, "inner_product_histogram", "statistics.");
  if (!stored.is_object() || stored.size() != hist.size())
    throw Rejected("statistics.inner_product_histogram differs from the regenerated instance");
  for (const auto& [ip, cnt] : hist) {
    std::string key = std::to_string(ip);
    if (!stored.contains(key) || !stored.at(key).is_number_unsigned() || cnt % 2 != 0 ||
        stored.at(key).get<std::uint64_t>() != cnt / 2)
      throw Rejected("statistics.inner_product_histogram[" + key + "] differs from the regenerated instance");
  }
  return hist.rbegin()->first;
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
  Keys K = load_keys(field(c, "instance", ""), n, d);
  long maxip = check_global_histogram(field(c, "statistics", ""), row_histograms(K), n, d);
  const json& claim = field(c, "claim", "");
  if (text_field(claim, "kind", "claim.") != "max_off_diagonal_inner_product")
    throw Malformed("claim.kind is not max_off_diagonal_inner_product");
  const json& mi = field(claim, "max_inner", "claim.");
  if (!equals_integer(mi, maxip)) throw Rejected("claim.max_inner is not the maximum inner product");
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
    if (claim.contains("holds") && !claim.at("holds").is_boolean()) throw Malformed("claim.holds must be true or false");
    bool holds = !claim.contains("holds") || claim.at("holds").get<bool>();
    if (holds != (rho <= rmax)) throw Rejected(holds ? "claim: rho exceeds rho_max" : "claim: refutation does not hold");
  } else if (claim.contains("holds")) {
    throw Malformed("claim.holds without claim.rho_max");
  }
}

// ---- T1 (spec §2): Lemma 1 per row, Lemma 3, INDEX on N d bits ----
void check_t1(const json& c) {
  const json& prm = field(c, "parameters", "");
  std::size_t n = small_count(prm, "N", 2, 1u << 20), d = small_count(prm, "d", 1, 65535);
  if (integer(text_field(prm, "n", "parameters."), "parameters.n") != mpz_class(static_cast<unsigned long>(n + 1)))
    throw Malformed("parameters.n must be N + 1");
  mpq_class C = rational(text_field(prm, "C", "parameters."), "parameters.C");
  mpq_class eta = rational(text_field(prm, "eta", "parameters."), "parameters.eta");
  mpq_class delta = rational(text_field(prm, "delta", "parameters."), "parameters.delta");
  std::string notion = text_field(prm, "notion", "parameters.");
  if (C <= 0 || C > mpq_class(1 << 23)) throw Malformed("parameters.C must lie in (0, 2^23]");
  if (eta < 0 || eta >= 1 || delta < 0 || delta >= 1) throw Malformed("parameters.eta and parameters.delta must lie in [0, 1)");
  if (notion != "rel" && notion != "abs" && notion != "l2") throw Malformed("parameters.notion must be rel, abs or l2");

  Keys K = load_keys(field(c, "instance", ""), n, d);
  std::vector<std::uint32_t> h = row_histograms(K);
  const json& stats = field(c, "statistics", "");
  long maxip = check_global_histogram(stats, h, n, d);
  const json& mi = field(stats, "max_inner", "statistics.");
  if (!equals_integer(mi, maxip)) throw Rejected("statistics.max_inner is not the maximum inner product");

  // Lemma 1 in 96-bit fixed point: U_k >= 2^96 e^{-2Ck/d}, D_i = 2^96 + sum_k h_i[k] U_k + U_C >= 2^96 / w_i.
  const unsigned shift = 96;
  const mpz_class one = mpz_class(1) << shift;
  auto up = [&](const mpq_class& x) {
    mpq_class v = q_exp(x, 128).hi * mpq_class(one);
    mpz_class r;
    mpz_cdiv_q(r.get_mpz_t(), v.get_num_mpz_t(), v.get_den_mpz_t());
    return r;
  };
  std::vector<mpz_class> U(d + 1);
  for (std::size_t k = 0; k <= d; ++k) U[k] = up(-2 * C * mpq_class(static_cast<unsigned long>(k), static_cast<unsigned long>(d)));
  const mpz_class UC = up(-C);
  mpz_class Dmax = 0;
  mpz_class total_flips = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mpz_class D = one + UC;
    for (std::size_t k = 0; k <= d; ++k)
      if (h[i * (d + 1) + k]) D += U[k] * static_cast<unsigned long>(h[i * (d + 1) + k]);
    if (D > Dmax) Dmax = D;
    // Lemma 3: mu_i = 2 w_i - 1 >= (2^97 - D) / D.
    mpq_class mu(mpz_class(2 * one - D), D);
    mu.canonicalize();
    mpz_class flips = 0;
    if (notion == "rel") flips = mu > 0 ? 0 : d;
    else if (notion == "abs") flips = mu > eta ? 0 : d;
    else if (mu <= 0) flips = d;
    else {
      mpq_class f = eta * eta * mpq_class(static_cast<unsigned long>(d)) / (mu * mu);
      mpz_fdiv_q(flips.get_mpz_t(), f.get_num_mpz_t(), f.get_den_mpz_t());
      if (flips > d) flips = d;
    }
    total_flips += flips;
  }
  const json& der = field(c, "derived", "");
  mpq_class w_stored = rational(text_field(der, "w_min_lower", "derived."), "derived.w_min_lower");
  mpq_class w_check(one, Dmax);
  w_check.canonicalize();
  if (w_stored > w_check) throw Rejected("derived.w_min_lower exceeds the re-derived lower bound on min_i w_i");
  mpq_class phi_check(total_flips, mpz_class(static_cast<unsigned long>(n)) * static_cast<unsigned long>(d));
  phi_check.canonicalize();
  mpq_class phi = rational(text_field(der, "phi_upper", "derived."), "derived.phi_upper");
  if (phi < phi_check) throw Rejected("derived.phi_upper is below the re-derived flip fraction");
  mpq_class p = rational(text_field(der, "p_upper", "derived."), "derived.p_upper");
  if (p != delta + phi) throw Rejected("derived.p_upper is not delta + phi_upper");
  if (2 * p >= 1) throw Rejected("derived.p_upper >= 1/2: INDEX gives no bound");
  auto h2 = [&](unsigned b) { return q_h2(p, b); };
  check_contains(h2, field(der, "H2(p)", "derived."), "derived.H2(p)");
  const json& claim = field(c, "claim", "");
  if (text_field(claim, "kind", "claim.") != "kv_cache_space_lower_bound_bits")
    throw Malformed("claim.kind is not kv_cache_space_lower_bound_bits");
  mpq_class bits = rational(text_field(claim, "bits", "claim."), "claim.bits");
  mpz_class bits_ceil = integer(text_field(claim, "bits_ceil", "claim."), "claim.bits_ceil");
  mpq_class Nd(mpz_class(static_cast<unsigned long>(n)) * static_cast<unsigned long>(d));
  if (!decide_le(h2, 1 - bits / Nd, "claim.bits")) throw Rejected("claim.bits exceeds N d (1 - H2(p))");
  if (bits_ceil != ceil_q(bits)) throw Rejected("claim.bits_ceil is not ceil(claim.bits)");
}

}  // namespace

CheckResult check_certificate_text(const std::string& text, const CheckOptions&) {
  CheckResult r{Verdict::malformed, "?", ""};
  try {
    // Duplicate keys are rejected: a reader that keeps the first must not see another claim.
    std::vector<std::vector<std::string>> keys_at_depth;
    json::parser_callback_t no_duplicates = [&](int depth, json::parse_event_t ev, json& parsed) {
      auto d = static_cast<std::size_t>(depth);
      if (ev == json::parse_event_t::object_start) {
        if (keys_at_depth.size() <= d + 1) keys_at_depth.resize(d + 2);
        keys_at_depth[d + 1].clear();
      } else if (ev == json::parse_event_t::key) {
        auto& seen = keys_at_depth[d];
        std::string k = parsed.get<std::string>();
        for (const auto& x : seen)
          if (x == k) throw Malformed("duplicate key '" + k + "'");
        seen.push_back(k);
      }
      return true;
    };
    json c = json::parse(text, no_duplicates);
    if (text_field(c, "format", "") != "attncert-certificate") throw Malformed("not an attncert certificate");
    const json& v = field(c, "format_version", "");
    if (!v.is_number_integer() || v.get<long>() != 1)
      throw Malformed("unknown format_version " + v.dump() + " (this checker reads version 1)");
    r.theorem = text_field(c, "theorem", "");
    if (r.theorem == "index") check_index(c);
    else if (r.theorem == "gram") check_gram(c);
    else if (r.theorem == "t1") check_t1(c);
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

FormatLimits format_limits() { return {}; }

int check_files_main(const std::vector<std::string>& files, bool quiet, const CheckOptions& opt) {
  int rc = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    CheckResult r;
    if (!in) {
      r = {Verdict::malformed, "?", "cannot read file"};
    } else {
      std::ostringstream ss;
      ss << in.rdbuf();
      r = check_certificate_text(ss.str(), opt);
    }
    const char* tag = r.verdict == Verdict::accepted   ? "ACCEPTED"
                      : r.verdict == Verdict::rejected ? "REJECTED"
                      : r.verdict == Verdict::inconclusive ? "INCONCLUSIVE"
                                                           : "MALFORMED";
    if (!quiet) std::printf("%s: %s (%s): %s\n", f.c_str(), tag, r.theorem.c_str(), r.message.c_str());
    if (r.verdict == Verdict::malformed) rc = 2;
    else if (r.verdict == Verdict::rejected && rc == 0) rc = 1;
  }
  return rc;
}

}  // namespace attncert::checker
