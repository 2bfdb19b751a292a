// The lemmas route: the checker's trusted copy of every lemma statement it accepts, and cvc5 run
// as a separate program (the checker links no solver).
#pragma once
#include <string>
#include <vector>

namespace attncert::checker {

struct LemmaStatement {
  const char* name;
  const char* smtlib2;  // asserts the lemma's negation: unsat proves the lemma
};
// The statements as the checker knows them. A duplicate of the producer's on purpose: a
// certificate cannot swap in an easier script under a lemma's name.
const std::vector<LemmaStatement>& lemma_statements();

// Every run of whitespace collapsed to one space, leading and trailing whitespace removed.
std::string collapse_whitespace(const std::string& s);

enum class SmtAnswer { unsat, sat, unknown, unavailable };
struct SmtRun {
  SmtAnswer answer;
  std::string detail;  // what happened, for messages ("unknown", "timed out after ...", "cannot run ...")
};
// Runs cvc5 (env ATTNCERT_CVC5, else `cvc5` on PATH) with --lang=smt2 --tlimit=timeout_ms on the
// script, killing it after timeout_ms + 5 s of wall clock; the answer is its first output line.
SmtRun run_cvc5(const std::string& script, unsigned timeout_ms);

}  // namespace attncert::checker
