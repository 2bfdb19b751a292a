// The driver: format, version and theorem dispatch, the budget, the file loop and exit codes.
#include <cstdio>
#include <filesystem>
#include <new>
#include <fstream>
#include <sstream>
#include <vector>

#include "cert.hpp"
#include "json_strict.hpp"

namespace attncert::checker {

namespace {
struct TheoremCheck {
  const char* id;
  void (*check)(const Cert&);
};
// One entry per id in cmake/theorems.cmake: a listed theorem without check_<id> does not link.
constexpr TheoremCheck kTheorems[] = {
#define ATTNCERT_THEOREM(id) {#id, &check_##id},
#include "attncert/theorem_list.inc"
#undef ATTNCERT_THEOREM
};

const char* tag(Verdict v) {
  switch (v) {
    case Verdict::accepted: return "ACCEPTED";
    case Verdict::rejected: return "REJECTED";
    case Verdict::inconclusive: return "INCONCLUSIVE";
    case Verdict::malformed: break;
  }
  return "MALFORMED";
}

// Exit codes 0 accepted, 3 inconclusive, 1 rejected, 2 malformed; a run reports its worst file.
int exit_code(Verdict v) {
  return v == Verdict::accepted ? 0 : v == Verdict::inconclusive ? 3 : v == Verdict::rejected ? 1 : 2;
}
int severity(int code) { return code == 3 ? 1 : code == 1 ? 2 : code == 2 ? 3 : 0; }

// The largest certificate the checker reads (docs/certificates.md, "Limits").
constexpr std::size_t kMaxFileBytes = std::size_t{1} << 30;

// Text from a certificate as one printable line: control bytes escaped as \xNN, cut at `max`
// bytes, so that a field cannot forge another output line or flood the terminal.
std::string printable(const std::string& s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) {
      out += "... (" + std::to_string(s.size() - i) + " more bytes)";
      break;
    }
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x20 || ch == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", ch);
      out += esc;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}
}  // namespace

FormatLimits format_limits() { return {}; }

void Cert::expect_sections(std::initializer_list<const char*> theorem_sections) const {
  std::vector<std::string> all = {"format", "format_version", "theorem", "producer", "parameters", "instance", "claim"};
  all.insert(all.end(), theorem_sections.begin(), theorem_sections.end());
  expect_keys(doc, "", all);
}

void Cert::within_budget(std::uint64_t keys, std::uint64_t d) const {
  // keys <= 2^20 and d <= 65535: pairs < 2^39, times ceil(d/256) <= 256: no overflow.
  const std::uint64_t pairs = keys * (keys - 1) / 2 * ((d + 255) / 256);
  if (pairs > opt.max_pairs)
    throw Malformed("needs " + std::to_string(pairs) + " key pairs (counted per 256 coordinates), above --max-pairs " +
                    std::to_string(opt.max_pairs) + " (raise it to check this certificate)");
}

CheckResult check_certificate_text(const std::string& text_in, const CheckOptions& opt) {
  CheckResult r{Verdict::malformed, "?", ""};
  try {
    const json doc = parse_no_duplicates(text_in);
    if (!doc.is_object()) throw Malformed("the certificate must be a JSON object");
    if (text(doc, "", "format") != "attncert-certificate") throw Malformed("not an attncert certificate");
    version_one(doc, "", "format_version");
    r.theorem = text(doc, "", "theorem");
    const TheoremCheck* found = nullptr;
    for (const auto& t : kTheorems)
      if (r.theorem == t.id) found = &t;
    if (!found) throw Malformed("unknown theorem '" + r.theorem + "'");
    const json& producer = member(doc, "", "producer");
    expect_keys(producer, "producer", {"name", "version"});
    (void)text(producer, "producer", "name");  // free text, but strings
    (void)text(producer, "producer", "version");
    Cert cert{doc, opt};
    found->check(cert);
    r.verdict = Verdict::accepted;
    r.message = cert.summary;
  } catch (const Rejected& e) {
    r.verdict = Verdict::rejected;
    r.message = e.what();
  } catch (const Inconclusive& e) {
    r.verdict = Verdict::inconclusive;
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

int check_files_main(const std::vector<std::string>& files, bool quiet, const CheckOptions& opt) {
  int worst = 0;
  for (const auto& f : files) {
    CheckResult r{Verdict::malformed, "?", ""};
    try {
      std::error_code ec;
      if (std::filesystem::is_directory(f, ec)) throw Malformed("is a directory");
      std::ifstream in(f, std::ios::binary);
      if (!in) throw Malformed("cannot read file");
      std::string body;
      char buf[1 << 16];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        body.append(buf, static_cast<std::size_t>(in.gcount()));
        if (body.size() > kMaxFileBytes)
          throw Malformed("larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB, the format's limit");
      }
      r = check_certificate_text(body, opt);
    } catch (const Malformed& e) {
      r.message = e.what();
    } catch (const std::bad_alloc&) {
      r.message = "out of memory while reading or checking";
    }
    if (!quiet)
      std::printf("%s: %s (%s): %s\n", printable(f, 4096).c_str(), tag(r.verdict), printable(r.theorem, 64).c_str(),
                  printable(r.message, 400).c_str());
    if (severity(exit_code(r.verdict)) > severity(worst)) worst = exit_code(r.verdict);
  }
  return worst;
}

}  // namespace attncert::checker
