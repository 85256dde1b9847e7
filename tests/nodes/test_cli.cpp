// The command line: help, version, and usage errors with exit code 2.
#include <catch2/catch.hpp>

#include "tests/support/test_env.hpp"

using txstream::test::run_txstream;

TEST_CASE("help and version exit 0", "[nodes]") {
  auto help = run_txstream("--help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("topics") != std::string::npos);
  auto version = run_txstream("version");
  CHECK(version.exit_code == 0);
  CHECK(version.output.find("txstream ") == 0);
}

TEST_CASE("usage errors exit 2 with a clear message", "[nodes]") {
  auto unknown = run_txstream("frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command 'frobnicate'") != std::string::npos);
  auto bad_flag = run_txstream("topics create --no-such-flag");
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.output.find("--no-such-flag") != std::string::npos);
  auto none = run_txstream("");
  CHECK(none.exit_code == 2);
}
