#include "actors/kafka/client_config.hpp"

#include <stdexcept>

#include "config/config_error.hpp"

namespace txstream::kafka {

std::unique_ptr<RdKafka::Conf> make_conf(const settings& s) {
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  std::string err;
  for (const auto& [key, value] : s)
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK)
      throw std::invalid_argument("kafka setting " + key + "=" + value + ": " + err);
  return conf;
}

settings client_properties(const std::map<std::string, std::string>& client) {
  settings s;
  if (client.empty())
    return s;
  std::unique_ptr<rd_kafka_conf_t, void (*)(rd_kafka_conf_t*)> scratch{rd_kafka_conf_new(),
                                                                       rd_kafka_conf_destroy};
  char err[512];
  for (const auto& [property, value] : client) {
    if (rd_kafka_conf_set(scratch.get(), property.c_str(), value.c_str(), err, sizeof err)
        != RD_KAFKA_CONF_OK)
      // Without the value: it may be a password.
      throw config_error("config error: kafka.client." + property + ": " + err);
    s.emplace_back(property, value);
  }
  return s;
}

handle_ptr make_c_client(rd_kafka_type_t type, const settings& s) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [key, value] : s) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::invalid_argument("kafka setting " + key + "=" + value + ": " + err);
    }
  }
  // On success rd_kafka_new owns conf; on failure we still do.
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string{"cannot create kafka client: "} + err);
  }
  return handle_ptr{rk};
}

}  // namespace txstream::kafka
