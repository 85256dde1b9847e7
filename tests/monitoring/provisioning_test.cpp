// The Prometheus and Grafana provisioning files in monitoring/ are valid and
// only reference metrics the probes export.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

// nlohmann/json: header-only, found on the system include path.
#include <nlohmann/json.hpp>

#include "monitoring/actor_probe.hpp"
#include "monitoring/cluster_probe.hpp"
#include "monitoring/generator_probe.hpp"
#include "monitoring/link_probe.hpp"
#include "monitoring/memory_probe.hpp"
#include "monitoring/pipeline_probe.hpp"
#include "tests/monitoring/test_promtool.hpp"

#include <unistd.h>  // getpid

using namespace txstream::monitoring;

namespace {

const std::string source_dir = std::string{TXSTREAM_SOURCE_DIR} + "/monitoring";

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every txstream_* metric family the probes export, with histogram series.
std::set<std::string> exported_names() {
  metrics_registry reg{"test"};
  pipeline_probe pipeline{reg};
  actor_metrics actors{reg};
  cluster_probe cluster{reg};
  generator_probe gen{reg};
  memory_probe memory{reg};
  link_probe links{reg};
  // Labelled families without a child are not exported: make one each.
  links.name("caf-node", "peer");
  pipeline.consumed(0, 1);
  pipeline.produced("t", 1);
  pipeline.produce_errors("t");
  pipeline.dead_lettered("r");
  pipeline.anomalies("r");
  pipeline.consumer_lag(0, 1);
  pipeline.shard_records(0, 1);
  memory.budget("total", 1);
  memory.windows(0, 1, 1);
  actors.probe("a");
  std::set<std::string> names;
  for (auto& family : reg.collect()) {
    names.insert(family.name);
    if (family.type == prometheus::MetricType::Histogram)
      for (auto suffix : {"_bucket", "_sum", "_count"})
        names.insert(family.name + suffix);
  }
  return names;
}

// Scans by hand: <regex> trips GCC 12's -Wmaybe-uninitialized in sanitizer
// builds.
void check_names_exported(const std::string& text) {
  static const auto exported = exported_names();
  auto name_char = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  for (auto pos = text.find("txstream_"); pos != std::string::npos;
       pos = text.find("txstream_", pos + 1)) {
    if (pos > 0 && (name_char(text[pos - 1]) || text[pos - 1] == '-'))
      continue;  // part of another word, e.g. a uid
    auto end = pos;
    while (end < text.size() && name_char(text[end]))
      ++end;
    auto name = text.substr(pos, end - pos);
    INFO("metric referenced: " << name);
    CHECK(exported.count(name) == 1);
  }
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

void require_promtool() {
  if (!test::have_promtool())
    WARN("promtool not found in PATH: skipping");
}

}  // namespace

TEST_CASE("prometheus.yml and alerts.yml pass promtool", "[monitoring]") {
  require_promtool();
  if (!test::have_promtool())
    return;
  auto dir = source_dir + "/prometheus";
  for (auto cmd : {"promtool check config prometheus.yml", "promtool check rules alerts.yml",
                   "promtool test rules alerts_test.yml"}) {
    auto result = test::run_tool("cd '" + dir + "' && " + cmd);
    INFO(cmd << "\n" << result.output);
    CHECK(result.exit_code == 0);
  }
}

TEST_CASE("alert rules only use exported metrics", "[monitoring]") {
  check_names_exported(read_file(source_dir + "/prometheus/alerts.yml"));
}

TEST_CASE("the Grafana dashboard queries are valid PromQL on exported metrics", "[monitoring]") {
  auto datasources = read_file(source_dir + "/grafana/provisioning/datasources/prometheus.yml");
  auto dashboard = nlohmann::json::parse(
    read_file(source_dir + "/grafana/dashboards/txstream.json"));
  CHECK(dashboard.at("uid") == "txstream-overview");
  std::set<int> ids;
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  for (auto& panel : dashboard.at("panels")) {
    INFO("panel: " << panel.at("title"));
    CHECK(ids.insert(panel.at("id").get<int>()).second);
    CHECK(panel.contains("gridPos"));
    if (panel.at("type") == "row")
      continue;  // a heading of the panels below it, no queries
    REQUIRE_FALSE(panel.at("targets").empty());
    for (auto& target : panel.at("targets")) {
      auto uid = target.at("datasource").at("uid").get<std::string>();
      CHECK(datasources.find("uid: " + uid) != std::string::npos);
      auto expr = target.at("expr").get<std::string>();
      check_names_exported(expr);
      // Grafana variables are not PromQL: substitute typical values.
      expr = replace_all(expr, "$__rate_interval", "1m");
      expr = replace_all(expr, "$instance", ".*");
      nlohmann::json quoted = expr;
      rules += "      - record: dashboard:expr" + std::to_string(++n)
               + "\n        expr: " + quoted.dump() + "\n";
    }
  }
  CHECK(n >= 10);
  if (!test::have_promtool()) {
    WARN("promtool not found in PATH: skipping the PromQL check");
    return;
  }
  auto path = std::string{TXSTREAM_TEST_BINARY_DIR} + "/dashboard_rules_"
              + std::to_string(::getpid()) + ".yml";
  {
    std::ofstream out{path};
    out << rules;
  }
  auto result = test::run_tool("promtool check rules '" + path + "'");
  INFO(rules << "\n" << result.output);
  CHECK(result.exit_code == 0);
  std::remove(path.c_str());
}
