// One executable per theorem (verify_index, verify_gram, ...): the same code as
// `attncert verify <name>`; the name is fixed at compile time.
#include "attncert/verifiers/cli.hpp"

int main(int argc, char** argv) { return attncert::verifiers::single_verifier_main(ATTNCERT_VERIFIER, argc, argv); }
