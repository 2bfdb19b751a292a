#include "attncert/verifiers/cli.hpp"

#include <cmath>
#include <cstdio>
#include <new>
#include <iostream>
#include <sstream>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/core/refine.hpp"
#include "attncert/reductions/errors.hpp"
#include "attncert/verifiers/certificate.hpp"
#include "attncert/verifiers/registry.hpp"

namespace attncert::verifiers {

const char* status_name(int status) {
  switch (status) {
    case certified: return "certified";
    case refuted: return "refuted";
    case bad_input: return "bad input";
    case internal_error: return "internal error";
    default: return "inconclusive";
  }
}

void add_common_options(CLI::App& app, CommonOptions& opt, std::string& seed_text) {
  app.add_option("--seed", seed_text, "seed of the instance generator (printed and stored in the certificate)");
  app.add_option("--threads", opt.threads, "worker threads (0: all cores)")->check(CLI::Range(0, 4096));
  app.add_option("--cert", opt.cert, "write the certificate to FILE");
  app.add_flag("--json", opt.json, "print a JSON summary instead of the table");
  app.add_option("--junit", opt.junit, "write a JUnit XML report to FILE");
  app.add_flag("--quiet,-q", opt.quiet, "no progress bar and no table (exit code only)");
}

std::uint64_t parse_count(const std::string& text, const std::string& name, std::uint64_t min,
                          std::uint64_t max) {
  core::Rational r;
  try {
    r = core::parse_rational(text, name);
  } catch (const std::invalid_argument& e) {
    throw BadInput(e.what());
  }
  if (boost::multiprecision::denominator(r) != 1)
    throw BadInput(name + ": '" + text + "' is not a whole number");
  if (r < min || r > max)
    throw BadInput(name + ": " + text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return boost::multiprecision::numerator(r).convert_to<std::uint64_t>();
}

std::uint64_t parse_seed(const std::string& text) {
  return parse_count(text, "--seed", 0, ~std::uint64_t{0});
}

core::Rational parse_rational_param(const std::string& text, const std::string& name) {
  try {
    return core::parse_rational(text, name);
  } catch (const std::invalid_argument& e) {
    throw BadInput(e.what());
  }
}

static std::string xml_escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    switch (c) {
      case '&': r += "&amp;"; break;
      case '<': r += "&lt;"; break;
      case '>': r += "&gt;"; break;
      case '"': r += "&quot;"; break;
      default: r += c;
    }
  }
  return r;
}

void write_junit(const std::string& path, const std::string& suite, const std::vector<Outcome>& outcomes) {
  int failures = 0, skipped = 0;
  double total = 0;
  for (const auto& o : outcomes) {
    failures += o.status == refuted || o.status == bad_input;
    skipped += o.status == inconclusive;
    total += o.seconds;
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"" << xml_escape(suite)
    << "\" tests=\"" << outcomes.size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped
    << "\" time=\"" << total << "\">\n";
  for (const auto& o : outcomes) {
    x << "  <testcase classname=\"attncert." << xml_escape(o.theorem) << "\" name=\"" << xml_escape(o.label)
      << "\" time=\"" << o.seconds << "\">";
    if (o.status == refuted || o.status == bad_input)
      x << "<failure message=\"" << xml_escape(status_name(o.status)) << "\">" << xml_escape(o.reason) << "</failure>";
    else if (o.status == inconclusive)
      x << "<skipped message=\"inconclusive: " << xml_escape(o.reason) << "\"/>";
    else
      x << "<system-out>" << xml_escape(o.claim) << "</system-out>";
    x << "</testcase>\n";
  }
  x << "</testsuite>\n</testsuites>\n";
  write_file_atomic(path, x.str());
}

int finish(const Outcome& o, const CommonOptions& opt) {
  if (!opt.cert.empty()) {
    if (o.certificate.is_null())
      std::fprintf(stderr, "attncert: note: no certificate written (%s)\n", status_name(o.status));
    else
      write_certificate(opt.cert, o.certificate);
  }
  if (!opt.junit.empty()) write_junit(opt.junit, "attncert verify " + o.theorem, {o});
  if (opt.json) {
    nlohmann::json j = {{"theorem", o.theorem}, {"label", o.label}, {"status", status_name(o.status)},
                        {"exit_code", o.status}, {"reason", o.reason}, {"claim", o.claim},
                        {"seconds", o.seconds}};
    for (const auto& [k, v] : o.table) j["table"][k] = v;
    std::cout << j.dump(2) << "\n";
  } else if (!opt.quiet) {
    std::size_t w = 0;
    for (const auto& row : o.table) w = std::max(w, row.first.size());
    std::cout << "attncert verify " << o.theorem << "  (" << o.label << ")\n";
    for (const auto& [k, v] : o.table) std::cout << "  " << k << std::string(w - k.size() + 2, ' ') << v << "\n";
    std::cout << status_name(o.status) << ": " << (o.status == certified ? o.claim : o.reason) << "\n";
  }
  return o.status;
}

void reject_empty_values(const CLI::App& app) {
  for (const CLI::Option* o : app.get_options())
    if (o->count() > 0 && o->get_type_size_max() > 0)  // flags take no value
      for (const auto& v : o->results())
        if (v.empty()) throw BadInput(o->get_name() + ": empty value");
  for (const CLI::App* sub : app.get_subcommands()) reject_empty_values(*sub);
}

// A parameter name of the reductions layer as the flag that sets it: "delta_prime" -> "--delta-prime".
static std::string flag_of(const std::string& parameter) {
  std::string f = "--" + parameter;
  for (char& c : f)
    if (c == '_') c = '-';
  return f;
}

int guarded(const std::string& prog, const std::function<int()>& body) {
  auto say = [&](const std::string& what, const std::string& msg) { std::fprintf(stderr, "%s: %s: %s\n", prog.c_str(), what.c_str(), msg.c_str()); };
  try {
    return body();
  } catch (const BadInput& e) {
    say("error", e.what());
    return bad_input;
  } catch (const reductions::ParameterError& e) {
    say("error", flag_of(e.parameter) + ": " + e.detail);
    return bad_input;
  } catch (const FileError& e) {
    say("error", e.what());
    return bad_input;
  } catch (const std::bad_alloc&) {  // the parameters ask for more memory than this machine has
    say("error", "out of memory for these parameters (reduce N or d)");
    return bad_input;
  } catch (const core::Undecided& e) {
    say("inconclusive", e.what());
    return inconclusive;
  } catch (const std::exception& e) {
    say("internal error", std::string(e.what()) + " (a bug in attncert; please report it)");
    return internal_error;
  }
}

// Parses argv with CLI11; help exits 0, parse errors become one line and exit 2.
std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, const std::string& prog) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s (see --help)\n", prog.c_str(), e.what());
    return bad_input;
  }
  return std::nullopt;
}

int single_verifier_main(const std::string& id, int argc, char** argv) {
  install_interrupt_cleanup();
  const std::string prog = "verify_" + id;
  const Theorem* t = find_theorem(id);
  if (!t) {  // the executable's name and the registry disagree: a build bug, not bad input
    std::fprintf(stderr, "%s: internal error: no theorem '%s' is registered\n", prog.c_str(), id.c_str());
    return internal_error;
  }
  CLI::App app{t->summary, prog};
  CommonOptions opt;
  std::string seed_text = "1";
  add_common_options(app, opt, seed_text);
  app.footer(kVerifierFooter);
  Runner run = t->setup(app);
  if (const auto code = parse_command_line(app, argc, argv, prog)) return *code;
  return guarded(prog, [&] {
    reject_empty_values(app);
    opt.seed = parse_seed(seed_text);
    return finish(run(opt), opt);
  });
}

std::string approx(double x, int digits) {
  if (std::isnan(x)) return "n/a";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

std::string approx(const core::Rational& r, int digits) { return approx(r.convert_to<double>(), digits); }

}  // namespace attncert::verifiers
