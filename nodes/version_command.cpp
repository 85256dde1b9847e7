#include <iostream>

#include <CLI/CLI.hpp>
#include <librdkafka/rdkafkacpp.h>

#include "nodes/commands.hpp"

namespace txstream {

void add_version_command(CLI::App& app, command_action& action, const std::string& allocator) {
  auto* cmd = app.add_subcommand("version", "Print version information");
  cmd->callback([&action, allocator] {
    action = [allocator] {
      std::cout << "txstream " << TXSTREAM_VERSION << " (librdkafka " << RdKafka::version_str()
                << ", CAF 0.17)\n"
                << "allocator: " << allocator << "\n";
      return 0;
    };
  });
}

}  // namespace txstream
