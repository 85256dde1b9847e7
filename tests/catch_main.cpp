// The one translation unit that holds Catch2's main(); kept alone because it
// is slow to compile.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
