// Runs promtool on text for tests; reports "missing" when it is not installed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>  // getpid

namespace txstream::monitoring::test {

inline bool have_promtool() {
  return std::system("command -v promtool >/dev/null 2>&1") == 0;
}

struct tool_result {
  int exit_code = -1;
  std::string output;
};

/// Runs `command` through the shell and captures stdout and stderr.
inline tool_result run_tool(const std::string& command) {
  tool_result result;
  auto* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return result;
  char buf[512];
  while (auto n = std::fread(buf, 1, sizeof(buf), pipe))
    result.output.append(buf, n);
  auto status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// `promtool check metrics` over `text` (fed on stdin from a temp file).
inline tool_result promtool_check_metrics(const std::string& text) {
  auto path = std::string{TXSTREAM_TEST_BINARY_DIR} + "/scrape_" + std::to_string(::getpid())
              + ".txt";
  {
    std::ofstream out{path, std::ios::binary};
    out << text;
  }
  auto result = run_tool("promtool check metrics < '" + path + "'");
  std::remove(path.c_str());
  return result;
}

}  // namespace txstream::monitoring::test
