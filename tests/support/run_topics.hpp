// One test run's own topics and consumer group, named after a unique
// prefix: as TXSTREAM_* variables, or as the tables of a config file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_env.hpp"

namespace txstream::test {

struct run_topics {
  /// The keys of the topics tables: topics.<key>.name.
  static inline const std::vector<std::string> keys = {"transactions", "aggregates", "anomalies",
                                                       "deadletter",   "control",    "state"};

  std::string prefix;

  explicit run_topics(std::string p) : prefix(std::move(p)) {
    // nop
  }

  std::string name(const std::string& key) const {
    return prefix + "_" + key;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& key : keys)
      out.push_back(name(key));
    return out;
  }

  /// "TXSTREAM_KAFKA_BOOTSTRAP=... TXSTREAM_TOPICS_<KEY>_NAME=... " with
  /// the group and metrics on any free port, to put before a command.
  std::string env() const {
    std::string out = "TXSTREAM_KAFKA_BOOTSTRAP=" + bootstrap()
                      + " TXSTREAM_KAFKA_GROUP_ID=" + prefix + " TXSTREAM_METRICS_PORT=0";
    for (const auto& key : keys) {
      std::string upper;
      for (char c : key)
        upper += static_cast<char>(c - 'a' + 'A');
      out += " TXSTREAM_TOPICS_" + upper + "_NAME=" + name(key);
    }
    return out + " ";
  }

  /// The same settings as config file tables.
  std::string toml() const {
    std::string out = "[kafka]\nbootstrap = \"" + bootstrap() + "\"\ngroup_id = \"" + prefix
                      + "\"\n[metrics]\nport = 0\n";
    for (const auto& key : keys)
      out += "[topics." + key + "]\nname = \"" + name(key) + "\"\n";
    return out;
  }
};

}  // namespace txstream::test
