// The umbrella CLI `attncert` as a function, so tests can drive it (with theorems they register).
#pragma once

namespace attncert::verifiers {

// attncert verify <theorem> | verify --suite NAME | sweep <theorem> | check FILE...; returns the
// exit code (README, "Exit codes").
int umbrella_main(int argc, const char* const* argv);

}  // namespace attncert::verifiers
