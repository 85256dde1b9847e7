// The command-line application: parses arguments and runs one subcommand.
#pragma once

#include <string>
#include <utility>

#include "nodes/allocator_control.hpp"

namespace txstream {

/// Exit codes of the txstream executable.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,  // the command ran and failed (e.g. verify found errors)
  exit_usage = 2,    // unknown subcommand, bad flag or invalid config
};

class application {
public:
  /// `allocator`: what the memory allocator is (`txstream version`) and how
  /// a node steers it.
  explicit application(allocator_control allocator = {}) : allocator_(std::move(allocator)) {
    // nop
  }

  /// Runs the command line; returns the process exit code.
  int run(int argc, char** argv);

private:
  allocator_control allocator_;
};

}  // namespace txstream
