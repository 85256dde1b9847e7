// Registration of every subcommand on the CLI11 application.
#pragma once

#include <functional>
#include <string>

#include "nodes/allocator_control.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace txstream {

/// What a subcommand runs once parsing succeeded; returns an exit code.
using command_action = std::function<int()>;

/// Each add_* registers one subcommand on `app` and stores its action in
/// `action` when that subcommand is selected.
/// `allocator` describes the memory allocator in use.
void add_version_command(CLI::App& app, command_action& action, const std::string& allocator);
void add_topics_command(CLI::App& app, command_action& action);
void add_generate_command(CLI::App& app, command_action& action);
void add_verify_command(CLI::App& app, command_action& action);
void add_status_command(CLI::App& app, command_action& action);
void add_node_command(CLI::App& app, command_action& action, const allocator_control& allocator);

}  // namespace txstream
