// attncert: the umbrella CLI (verifiers/src/umbrella.cpp), and `attncert experiment ...`
// (verifiers/src/experiment_knn.cpp: the T6 kNN-attention experiments).
#include <string>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/experiment_knn.hpp"
#include "attncert/verifiers/umbrella.hpp"

int main(int argc, char** argv) {
  attncert::verifiers::install_interrupt_cleanup();
  if (argc >= 2 && std::string(argv[1]) == "experiment") return attncert::verifiers::experiment_main(argc - 1, argv + 1);
  return attncert::verifiers::umbrella_main(argc, argv);
}
