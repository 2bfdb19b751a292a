# Locate attncert's dependencies. Required ones fail the configure step with the
# Debian package to install; optional ones (CUDA, FAISS, Google Benchmark, gnuplot) are detected.

function(attncert_require_library var name header package)
  find_library(${var}_LIB NAMES ${name})
  find_path(${var}_INC NAMES ${header})
  if(NOT ${var}_LIB OR NOT ${var}_INC)
    message(FATAL_ERROR "attncert needs ${name} (${header}); install the Debian package ${package} (scripts/test does this)")
  endif()
  add_library(attncert::${name} UNKNOWN IMPORTED)
  set_target_properties(attncert::${name} PROPERTIES IMPORTED_LOCATION "${${var}_LIB}"
                        INTERFACE_INCLUDE_DIRECTORIES "${${var}_INC}")
endfunction()

attncert_require_library(GMP gmp gmp.h libgmp-dev)
attncert_require_library(GMPXX gmpxx gmpxx.h libgmp-dev)
attncert_require_library(MPFR mpfr mpfr.h libmpfr-dev)
attncert_require_library(Z3 z3 z3++.h libz3-dev)

find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
if(ATTNCERT_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
if(ATTNCERT_BENCH)
  find_package(benchmark QUIET)
endif()

# FAISS (optional): the kNN attention index; exact brute force stays the reference.
set(ATTNCERT_HAVE_FAISS OFF)
if(NOT ATTNCERT_FAISS STREQUAL "OFF")
  find_package(faiss QUIET)
  if(faiss_FOUND)
    set(ATTNCERT_HAVE_FAISS ON)
  elseif(ATTNCERT_FAISS STREQUAL "ON")
    message(FATAL_ERROR "ATTNCERT_FAISS=ON but FAISS was not found (Debian package libfaiss-dev)")
  endif()
endif()

# CUDA (optional): kernels compile when nvcc is found; running them needs a GPU.
set(ATTNCERT_HAVE_CUDA OFF)
if(NOT ATTNCERT_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(ATTNCERT_HAVE_CUDA ON)
  elseif(ATTNCERT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "ATTNCERT_CUDA=ON but nvcc was not found")
  endif()
endif()

find_program(ATTNCERT_GNUPLOT gnuplot)
