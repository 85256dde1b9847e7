// `txstream generate` against the real broker: exact counts, valid payloads,
// labels only in headers, byte-identical reruns, and the target rate.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actors/fraud_scenarios.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "actors/kafka/topic_reader.hpp"
#include "messages/kafka_headers.hpp"
#include "messages/transaction_decoder.hpp"
#include "tests/support/background_command.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t start_time = 1700000000000;

struct produced {
  std::string value;
  std::string label;  // x-txstream-fraud, "" when absent
};

struct topic_contents {
  std::uint64_t records = 0;
  std::map<std::string, std::vector<produced>> by_key;
  std::map<std::int32_t, std::vector<produced>> by_partition;
  std::vector<std::string> keys;  // to check against the payload's userId
};

topic_contents read_all(const std::string& topic) {
  topic_contents out;
  kafka::topic_reader reader{test::bootstrap()};
  auto res = reader.read(topic, [&](const kafka::topic_record& r) {
    const auto* h = r.header(fraud_header);
    produced p{r.value, h != nullptr ? *h : std::string{}};
    out.by_key[r.key].push_back(p);
    out.by_partition[r.partition].push_back(p);
    out.keys.push_back(r.key);
  });
  REQUIRE(res.complete());
  out.records = res.records;
  return out;
}

// The values of the machine-readable last line "generate sent=... rate=...".
std::map<std::string, double> summary_of(const std::string& output) {
  std::map<std::string, double> out;
  auto pos = output.rfind("generate sent=");
  if (pos == std::string::npos)
    return out;
  std::istringstream line{output.substr(pos + 9)};
  std::string field;
  while (line >> field) {
    auto eq = field.find('=');
    if (eq != std::string::npos)
      out[field.substr(0, eq)] = std::stod(field.substr(eq + 1));
  }
  return out;
}

// The value of an unlabelled sample `name` in a Prometheus exposition, -1
// when absent.
double sample_of(const std::string& exposition, const std::string& name) {
  std::istringstream lines{exposition};
  for (std::string line; std::getline(lines, line);)
    if (line.compare(0, name.size() + 1, name + " ") == 0)
      return std::stod(line.substr(name.size() + 1));
  return -1;
}

std::string create_topic(kafka::topic_admin& admin, const std::string& prefix) {
  auto name = test::unique_name(prefix);
  auto rf = static_cast<std::int16_t>(std::min(3, admin.broker_count()));
  admin.create({topic_spec{name, 5, rf, {}}});
  return name;
}

}  // namespace

TEST_CASE("generate: exact count, valid records, labels in headers only, "
          "deterministic per seed",
          "[kafka]") {
  kafka::topic_admin admin{test::bootstrap()};
  const auto first = create_topic(admin, "generate_a");
  const auto second = create_topic(admin, "generate_b");
  // Exactly --count: no drain of the fraud instances started.
  const std::string args = " --bootstrap " + test::bootstrap()
                           + " --count 20000 --rate max --seed 7 --no-drain-scenarios "
                             "--start-time "
                           + std::to_string(start_time) + " --topic ";
  auto run_a = test::run_txstream("generate" + args + first);
  INFO(run_a.output);
  REQUIRE(run_a.exit_code == 0);
  auto s = summary_of(run_a.output);
  CHECK(s["sent"] == 20000);
  CHECK(s["delivered"] == 20000);
  CHECK(s["errors"] == 0);
  // The machine-readable summary is the last line.
  CHECK(run_a.output.substr(run_a.output.rfind('\n', run_a.output.size() - 2) + 1)
          .rfind("generate sent=", 0)
        == 0);
  auto run_b = test::run_txstream("generate" + args + second);
  INFO(run_b.output);
  REQUIRE(run_b.exit_code == 0);

  auto a = read_all(first);
  auto b = read_all(second);
  admin.remove({first, second});
  REQUIRE(a.records == 20000);
  REQUIRE(b.records == 20000);

  transaction_decoder decoder;
  transaction txn;
  std::uint64_t labelled = 0;
  std::map<std::string, int> scenarios;
  std::size_t bad = 0;
  for (const auto& [key, records] : a.by_key) {
    for (const auto& r : records) {
      auto res = decoder.decode(r.value, txn);
      if (!res.ok()) {
        ++bad;
        UNSCOPED_INFO("does not decode (" << describe(res) << "): " << r.value);
        continue;
      }
      CHECK(txn.user_id == key);
      // Event times follow the virtual clock: 20000 records at 10000/s.
      CHECK(txn.event_time_ms >= start_time);
      CHECK(txn.event_time_ms < start_time + 2000);
      // Ground truth never travels in the payload.
      CHECK(r.value.find("fraud") == std::string::npos);
      if (!r.label.empty()) {
        ++labelled;
        auto label = parse_fraud_label(r.label);
        REQUIRE(label);
        CHECK(parse_fraud_scenario(label->scenario));
        CHECK(r.value.find(r.label) == std::string::npos);
        ++scenarios[std::string{label->scenario}];
      }
    }
  }
  CHECK(bad == 0);
  // 0.2% of records start an instance of several transactions each.
  CHECK(labelled > 0);
  CHECK(scenarios.size() >= 3);

  // The same seed and start time give identical records in the same order
  // per key, and (same partitioner) per partition.
  CHECK(a.by_key.size() == b.by_key.size());
  std::size_t differing_keys = 0;
  for (const auto& [key, records] : a.by_key) {
    auto other = b.by_key.find(key);
    if (other == b.by_key.end() || other->second.size() != records.size()) {
      ++differing_keys;
      continue;
    }
    for (std::size_t i = 0; i < records.size(); ++i)
      if (records[i].value != other->second[i].value
          || records[i].label != other->second[i].label) {
        ++differing_keys;
        break;
      }
  }
  CHECK(differing_keys == 0);
  for (const auto& [partition, records] : a.by_partition) {
    INFO("partition " << partition);
    CHECK(b.by_partition[partition].size() == records.size());
  }
}

TEST_CASE("generate --drain-scenarios completes every fraud instance", "[kafka]") {
  kafka::topic_admin admin{test::bootstrap()};
  const auto topic = create_topic(admin, "generate_drain");
  // 10 records per event-time second: scenarios spanning minutes fit.
  auto r = test::run_txstream("generate --bootstrap " + test::bootstrap()
                              + " --count 5000 --rate max --event-rate 10 "
                                "--drain-scenarios --fraud-rate 0.01 --seed 3 "
                                "--start-time "
                              + std::to_string(start_time) + " --topic " + topic);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto contents = read_all(topic);
  admin.remove({topic});
  auto sent = summary_of(r.output)["sent"];
  CHECK(sent > 5000);
  CHECK(static_cast<double>(contents.records) == sent);
  std::map<std::string, std::size_t> per_instance;
  for (const auto& [key, records] : contents.by_key)
    for (const auto& x : records)
      if (!x.label.empty())
        ++per_instance[x.label];
  CHECK(per_instance.size() >= 20);
  for (const auto& [label, n] : per_instance) {
    INFO(label);
    auto parsed = parse_fraud_label(label);
    REQUIRE(parsed);
    auto kind = parse_fraud_scenario(parsed->scenario);
    REQUIRE(kind);
    CHECK(n == scenario_transactions(*kind));
  }
}

TEST_CASE("a bounded generate finishes its fraud instances with their own records "
          "only, unless --no-drain-scenarios",
          "[kafka]") {
  kafka::topic_admin admin{test::bootstrap()};
  const auto drained = create_topic(admin, "generate_default_drain");
  const auto cut = create_topic(admin, "generate_no_drain");
  // 10 records per event-time second: the run's own records end 500 s in,
  // with the instances of its last two minutes unfinished.
  const std::string args = " --bootstrap " + test::bootstrap()
                           + " --count 5000 --rate max --event-rate 10 --fraud-rate 0.01 "
                             "--seed 5 --start-time "
                           + std::to_string(start_time);
  const std::int64_t run_end = start_time + 5000 * 100;
  auto r = test::run_txstream("generate" + args + " --topic " + drained);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("generate: finishing ") != std::string::npos);
  CHECK(r.output.find("--no-drain-scenarios to stop at once") != std::string::npos);
  auto s = test::run_txstream("generate" + args + " --no-drain-scenarios --topic " + cut);
  INFO(s.output);
  REQUIRE(s.exit_code == 0);
  CHECK(s.output.find("generate: finishing ") == std::string::npos);
  CHECK(s.output.find(" unfinished)") != std::string::npos);

  auto a = read_all(drained);
  auto b = read_all(cut);
  admin.remove({drained, cut});
  CHECK(summary_of(s.output)["sent"] == 5000);
  CHECK(b.records == 5000);
  CHECK(a.records > 5000);
  // The drain adds the started instances' transactions and nothing else,
  // at their due times past the run's end (at most 2 min).
  transaction_decoder decoder;
  transaction txn;
  std::map<std::string, std::size_t> per_instance;
  std::size_t after_end = 0;
  for (const auto& [key, records] : a.by_key)
    for (const auto& x : records) {
      REQUIRE(decoder.decode(x.value, txn).ok());
      if (!x.label.empty())
        ++per_instance[x.label];
      if (txn.event_time_ms < run_end)
        continue;
      ++after_end;
      CHECK(!x.label.empty());
      CHECK(txn.event_time_ms <= run_end + max_scenario_duration_ms);
    }
  CHECK(after_end > 0);
  for (const auto& [label, n] : per_instance) {
    INFO(label);
    CHECK(n == scenario_transactions(*parse_fraud_scenario(parse_fraud_label(label)->scenario)));
  }
  // The same run cut off at --count leaves some instances short.
  std::map<std::string, std::size_t> cut_instances;
  for (const auto& [key, records] : b.by_key)
    for (const auto& x : records)
      if (!x.label.empty())
        ++cut_instances[x.label];
  std::size_t short_instances = 0;
  for (const auto& [label, n] : cut_instances)
    if (n < per_instance[label])
      ++short_instances;
  CHECK(short_instances > 0);
}

TEST_CASE("generate holds --rate within 2% over 10 s", "[kafka][slow]") {
  kafka::topic_admin admin{test::bootstrap()};
  const auto topic = create_topic(admin, "generate_rate");
  auto r = test::run_txstream("generate --bootstrap " + test::bootstrap()
                              + " --rate 5000 --duration 10 --no-drain-scenarios --topic " + topic);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto s = summary_of(r.output);
  CHECK(s["errors"] == 0);
  CHECK(s["sent"] >= 49000);
  CHECK(s["sent"] <= 51000);
  CHECK(s["delivered"] == s["sent"]);
  CHECK(s["seconds"] >= 9.8);
  CHECK(s["seconds"] <= 12.0);  // includes the final flush
  auto contents = read_all(topic);
  admin.remove({topic});
  CHECK(static_cast<double>(contents.records) == s["sent"]);
}

TEST_CASE("generate fails clearly on a missing topic and on bad flags", "[kafka]") {
  auto missing = test::run_txstream("generate --bootstrap " + test::bootstrap()
                                    + " --count 5 --topic " + test::unique_name("no_such_topic"));
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("does not exist") != std::string::npos);
  CHECK(test::run_txstream("generate --rate 0 --count 5").exit_code == 2);
  CHECK(test::run_txstream("generate --rate fast --count 5").exit_code == 2);
  CHECK(test::run_txstream("generate --count 5 --duration 3").exit_code == 2);
  CHECK(test::run_txstream("generate --fraud-rate 2").exit_code == 2);
}

TEST_CASE("generate --metrics-port serves its counters while it runs", "[kafka]") {
  kafka::topic_admin admin{test::bootstrap()};
  const auto topic = create_topic(admin, "generate_metrics");
  test::background_command gen{std::string{TXSTREAM_BINARY} + " generate --bootstrap "
                               + test::bootstrap() + " --rate 500 --duration 8"
                               + " --no-drain-scenarios --metrics-port 0 --topic " + topic};
  using clock = std::chrono::steady_clock;
  // Port 0: the generator says which port it got.
  int port = 0;
  for (auto deadline = clock::now() + std::chrono::seconds(20);
       port == 0 && clock::now() < deadline && !gen.finished();) {
    const auto out = gen.output();
    const std::string said = "generate: metrics on port ";
    if (auto at = out.find(said); at != std::string::npos)
      port = std::atoi(out.c_str() + at + said.size());
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(gen.output());
  REQUIRE(port > 0);
  const auto url = "http://127.0.0.1:" + std::to_string(port);
  double sent = -1;
  std::string exposition;
  for (auto deadline = clock::now() + std::chrono::seconds(20);
       sent <= 0 && clock::now() < deadline;) {
    exposition = test::run("curl -fsS " + url + "/metrics").output;
    sent = sample_of(exposition, "txstream_generator_sent_total");
    if (sent <= 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  INFO(exposition);
  CHECK(sent > 0);
  CHECK(sample_of(exposition, "txstream_generator_errors_total") == 0);
  CHECK(sample_of(exposition, "txstream_up") == 1);
  CHECK(test::run("curl -fsS " + url + "/readyz").exit_code == 0);
  REQUIRE(gen.wait(std::chrono::seconds(60)));
  CHECK(gen.exit_code() == 0);
  CHECK(summary_of(gen.output())["sent"] >= sent);
  admin.remove({topic});
}
