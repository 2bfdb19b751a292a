// attncert: the umbrella CLI (verifiers/src/umbrella.cpp).
#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/umbrella.hpp"

int main(int argc, char** argv) {
  attncert::verifiers::install_interrupt_cleanup();
  return attncert::verifiers::umbrella_main(argc, argv);
}
