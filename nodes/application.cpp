#include "nodes/application.hpp"

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "nodes/commands.hpp"

namespace txstream {

namespace {

bool is_subcommand(const CLI::App& app, const std::string& name) {
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->check_name(name))
      return true;
  return false;
}

}  // namespace

int application::run(int argc, char** argv) {
  CLI::App app{"txstream: a distributed, actor-based, real-time processor for "
               "financial transactions on Kafka."};
  app.require_subcommand(1);
  command_action action;
  add_version_command(app, action, allocator_.description);
  add_topics_command(app, action);
  add_generate_command(app, action);
  add_verify_command(app, action);
  add_status_command(app, action);
  add_node_command(app, action, allocator_);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes are > 100; usage errors here are always 2.
    std::string what = e.what();
    if (argc > 1 && argv[1][0] != '-' && !is_subcommand(app, argv[1]))
      what = std::string{"unknown command '"} + argv[1] + "'";
    std::cerr << "txstream: " << what << "\n"
              << "Run 'txstream --help' for usage.\n";
    return exit_usage;
  }
  if (!action) {
    std::cerr << "txstream: no command given; run 'txstream --help'\n";
    return exit_usage;
  }
  try {
    return action();
  } catch (const std::exception& e) {
    std::cerr << "txstream: error: " << e.what() << "\n";
    return exit_failure;
  }
}

}  // namespace txstream
