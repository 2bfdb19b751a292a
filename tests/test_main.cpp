// The one Catch2 main translation unit.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
