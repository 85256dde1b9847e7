// A shell command running in the background while a test does other things
// (a node that a test stalls, or disturbs with a second group member).
#pragma once

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>

#include "tests/support/test_env.hpp"

namespace txstream::test {

class background_command {
public:
  /// Starts `cmdline` under sh; its output and exit code go to files.
  explicit background_command(const std::string& cmdline) {
    char dir_template[] = "/tmp/txstream_bg_XXXXXX";
    dir_ = mkdtemp(dir_template);
    const auto started = run("sh -c '(" + cmdline + "; echo $? > " + dir_ + "/rc) > " + dir_
                             + "/out 2>&1 & echo $!'");
    pid_ = std::atoi(started.output.c_str());
  }

  ~background_command() {
    if (!finished() && pid_ > 0)
      ::kill(pid_, SIGKILL);
    run("rm -rf " + dir_);
  }

  background_command(const background_command&) = delete;
  background_command& operator=(const background_command&) = delete;

  /// The shell's pid; its child is the command.
  int pid() const {
    return pid_;
  }

  bool finished() const {
    std::ifstream rc{dir_ + "/rc"};
    return rc.good() && rc.peek() != std::ifstream::traits_type::eof();
  }

  /// Waits until the command ended or `limit` passed; true if it ended.
  bool wait(std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!finished()) {
      if (std::chrono::steady_clock::now() >= deadline)
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }

  /// The exit code, -1 while it runs.
  int exit_code() const {
    std::ifstream rc{dir_ + "/rc"};
    int code = -1;
    rc >> code;
    return code;
  }

  std::string output() const {
    std::ifstream out{dir_ + "/out"};
    std::stringstream text;
    text << out.rdbuf();
    return text.str();
  }

private:
  std::string dir_;
  int pid_ = -1;
};

}  // namespace txstream::test
