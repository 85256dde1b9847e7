// A helper process (tests/tools) started with pipes to its stdin and stdout,
// for tests that talk to a second CAF node.
#pragma once

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include <poll.h>       // poll: bounded waits for the child's output
#include <sys/prctl.h>  // PR_SET_PDEATHSIG: the child dies with the test
#include <sys/wait.h>
#include <unistd.h>

namespace txstream::test {

/// The child's stdout is a pipe to the test; its stderr stays the test's.
/// Always killed and reaped on destruction.
class child_process {
public:
  explicit child_process(const std::string& path, const std::vector<std::string>& args = {}) {
    int in[2];
    int out[2];
    if (pipe(in) != 0)
      return;
    if (pipe(out) != 0) {
      close(in[0]), close(in[1]);
      return;
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const auto& arg : args)
      argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(in[0]), close(in[1]), close(out[0]), close(out[1]);
      execv(path.c_str(), argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
  }

  ~child_process() {
    close_stdin();
    if (pid_ > 0 && !reaped_) {
      // A stopped child ignores SIGKILL until it continues.
      kill(pid_, SIGKILL);
      kill(pid_, SIGCONT);
      waitpid(pid_, nullptr, 0);
    }
    if (from_child_ >= 0)
      close(from_child_);
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool started() const {
    return pid_ > 0;
  }

  pid_t pid() const {
    return pid_;
  }

  /// Reads one line from the child's stdout, waiting at most `timeout`;
  /// "" when none came (or the child closed its stdout).
  std::string read_line(std::chrono::milliseconds timeout) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{from_child_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0)
        continue;
      char c;
      if (read(from_child_, &c, 1) != 1)
        break;
      if (c == '\n')
        return line;
      line += c;
    }
    return {};
  }

  /// EOF on the child's stdin: the tools' signal to stop.
  void close_stdin() {
    if (to_child_ >= 0)
      close(to_child_);
    to_child_ = -1;
  }

  /// Sends `signal` to the child.
  void signal(int signal) {
    if (pid_ > 0 && !reaped_)
      kill(pid_, signal);
  }

  /// Waits at most `timeout` for the child to end; its wait status, or -1
  /// while it still runs.
  int wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0)
      return -1;
    if (reaped_)
      return status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        reaped_ = true;
        return status_;
      }
      usleep(10'000);
    } while (std::chrono::steady_clock::now() < deadline);
    return -1;
  }

private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

}  // namespace txstream::test
