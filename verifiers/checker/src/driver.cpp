// The driver: format, version and theorem dispatch, the budget, the file loop and exit codes.
#include <cstdio>
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
}  // namespace

FormatLimits format_limits() { return {}; }

void Cert::expect_sections(std::initializer_list<const char*> theorem_sections) const {
  std::vector<std::string> all = {"format", "format_version", "theorem", "producer", "parameters", "instance", "claim"};
  all.insert(all.end(), theorem_sections.begin(), theorem_sections.end());
  expect_keys(doc, "", all);
}

void Cert::within_budget(std::uint64_t keys) const {
  const std::uint64_t pairs = keys * (keys - 1) / 2;  // keys <= 2^20: no overflow
  if (pairs > opt.max_pairs)
    throw Malformed("needs " + std::to_string(pairs) + " key pairs, above --max-pairs " + std::to_string(opt.max_pairs) +
                    " (raise it to check this certificate)");
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
    std::ifstream in(f, std::ios::binary);
    CheckResult r;
    if (!in) {
      r = {Verdict::malformed, "?", "cannot read file"};
    } else {
      std::ostringstream ss;
      ss << in.rdbuf();
      r = check_certificate_text(ss.str(), opt);
    }
    if (!quiet) std::printf("%s: %s (%s): %s\n", f.c_str(), tag(r.verdict), r.theorem.c_str(), r.message.c_str());
    if (severity(exit_code(r.verdict)) > severity(worst)) worst = exit_code(r.verdict);
  }
  return worst;
}

}  // namespace attncert::checker
