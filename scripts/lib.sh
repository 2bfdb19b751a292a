# Shared by scripts/run and scripts/test: install missing Debian packages, configure, build.
# Sourced, not run.
ATTNCERT_PACKAGES=(cmake g++ make libgmp-dev libboost-dev libmpfr-dev libmpfi-dev libz3-dev catch2
                   libcli11-dev nlohmann-json3-dev libfaiss-dev libbenchmark-dev libopenblas-dev gnuplot-nox
                   cvc5 python3-jsonschema)

attncert_install_deps() {
  local missing=()
  for p in "${ATTNCERT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "attncert: installing missing Debian packages: ${missing[*]}" >&2
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# attncert_build [TARGET...]: configure and build (everything when no target is named).
attncert_build() {
  local jobs targets=()
  jobs=$(nproc 2>/dev/null || echo 2)
  [[ $# -gt 0 ]] && targets=(--target "$@")
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >&2
  cmake --build build -j"$jobs" "${targets[@]}" >&2
}
