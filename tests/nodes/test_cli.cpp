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
  CHECK(version.output.find("allocator: ") != std::string::npos);
}

#if defined(TXSTREAM_EXPECT_MIMALLOC)
TEST_CASE("the executable keeps freed memory for a second before returning it", "[nodes]") {
  // mimalloc's default of 25 ms made the pipeline fault the same pages in
  // again and again; an explicit environment setting still wins.
  auto tuned = run_txstream("version");
  CHECK(tuned.output.find("allocator: mimalloc ") != std::string::npos);
  CHECK(tuned.output.find("decommit delay 1000 ms") != std::string::npos);
  auto own = txstream::test::run("MIMALLOC_DECOMMIT_DELAY=30 " + std::string{TXSTREAM_BINARY}
                                 + " version");
  CHECK(own.output.find("decommit delay 30 ms") != std::string::npos);
}
#endif

TEST_CASE("usage errors exit 2 with a clear message", "[nodes]") {
  auto unknown = run_txstream("frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command 'frobnicate'") != std::string::npos);
  auto bad_flag = run_txstream("topics create --no-such-flag");
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.output.find("--no-such-flag") != std::string::npos);
  auto none = run_txstream("");
  CHECK(none.exit_code == 2);
  // --pregenerate sends a fixed set at a fixed rate with wall-clock times.
  for (const char* args :
       {"generate --pregenerate --rate max --count 10", "generate --pregenerate --rate 100",
        "generate --pregenerate --rate 100 --count 10 --start-time 0",
        "generate --pregenerate --rate 100 --count 10 --drain-scenarios"}) {
    INFO(args);
    auto r = run_txstream(args);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("--pregenerate needs") != std::string::npos);
  }
  auto stray = run_txstream("generate --rate 100 --count 10 --event-rate 10");
  CHECK(stray.exit_code == 2);
  CHECK(stray.output.find("--event-rate needs --start-time") != std::string::npos);
}

TEST_CASE("a bounded --pregenerate run is not refused for the drain it does not do", "[nodes]") {
  // Past the usage checks: it stops at the configuration, loaded next.
  auto r = txstream::test::run("TXSTREAM_AGGREGATION_WINDOW_MS=0 " + std::string{TXSTREAM_BINARY}
                               + " generate --pregenerate --rate 100 --count 10");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("aggregation.window_ms") != std::string::npos);
  CHECK(r.output.find("--pregenerate needs") == std::string::npos);
}
