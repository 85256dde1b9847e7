// Building librdkafka configurations with every setting checked.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

namespace txstream::kafka {

using settings = std::vector<std::pair<std::string, std::string>>;

/// Global C++ configuration with all `settings` applied; throws
/// std::invalid_argument naming the key when librdkafka rejects one.
std::unique_ptr<RdKafka::Conf> make_conf(const settings& s);

/// The librdkafka properties of [kafka.client] (kafka_config::client) as
/// settings for every client, each first checked by librdkafka: throws
/// config_error ("config error: kafka.client.<name>: <librdkafka's reason>",
/// without the value, which may be a secret) for an unknown property or a
/// value it rejects, so a typo stops the node at start-up rather than when
/// some client is created.
settings client_properties(const std::map<std::string, std::string>& client);

/// Deleter so C handles can live in std::unique_ptr.
struct handle_deleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_destroy(rk);
  }
};
using handle_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;

/// A C-API client (for the Admin API, which the C++ API lacks); throws
/// std::runtime_error with librdkafka's message when creation fails.
handle_ptr make_c_client(rd_kafka_type_t type, const settings& s);

}  // namespace txstream::kafka
