// What tests need from their surroundings: the broker address, unique names,
// and running the txstream executable as a real process.
#pragma once

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace txstream::test {

/// The broker that `make test` started (scripts/test exports the address).
inline std::string bootstrap() {
  const char* env = std::getenv("TXSTREAM_TEST_BOOTSTRAP");
  return env != nullptr ? env : "127.0.0.1:9092";
}

/// What every topic and group name of this test run starts with:
/// scripts/test sets TXSTREAM_TEST_RUN and, when the suite ends, deletes the
/// topics and consumer groups whose names start with it (a broker reloads
/// every group and topic left behind at each start). Empty for a test
/// binary run by hand.
inline std::string run_prefix() {
  const char* env = std::getenv("TXSTREAM_TEST_RUN");
  return env != nullptr ? env : "";
}

/// A name no earlier run used, so tests never see each other's records.
inline std::string unique_name(const std::string& prefix) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return run_prefix() + prefix + "_" + std::to_string(getpid()) + "_"
         + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

struct command_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

/// Runs a shell command line, capturing its output and exit code.
inline command_result run(const std::string& cmdline) {
  command_result r;
  FILE* pipe = popen((cmdline + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    r.output.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs build/txstream with `args`.
inline command_result run_txstream(const std::string& args) {
  return run(std::string{TXSTREAM_BINARY} + " " + args);
}

}  // namespace txstream::test
