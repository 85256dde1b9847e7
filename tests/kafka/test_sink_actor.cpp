// The Kafka sink actor against the real broker: batches that may wait are
// held until their wait is over or a batch that may not wait arrives, and
// records keep their order either way.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/kafka/sink_actor.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "actors/kafka/topic_reader.hpp"
#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "messages/message_types.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;
using namespace std::chrono_literals;

namespace {

/// Which batches the sink answered, by the value of their first record.
struct answers {
  std::mutex m;
  std::vector<std::string> delivered;

  std::vector<std::string> get() {
    std::lock_guard<std::mutex> lock{m};
    return delivered;
  }

  /// Waits (up to 30 s) until `n` batches are answered.
  bool wait_for(std::size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (get().size() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    return get().size() >= n;
  }
};

/// Forwards each batch it is sent to the sink as a request.
caf::behavior txstream_client(caf::event_based_actor* self, caf::actor sink, answers* log) {
  return {
    [=](output_batch& b) {
      auto name = b.records.front().value;
      self->request(sink, caf::infinite, std::move(b)).then([=](delivered_atom) {
        std::lock_guard<std::mutex> lock{log->m};
        log->delivered.push_back(name);
      });
    },
  };
}

/// A fresh topic, and a sink for it (no linger, as the alert sink's) with a
/// client in front of it, in their own actor system.
struct sink_under_test {
  std::string bootstrap = test::bootstrap();
  std::string topic;
  kafka::topic_admin admin{bootstrap};
  caf::actor_system_config cfg;
  pipeline_context ctx;
  answers log;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor sink;
  caf::actor client;

  sink_under_test(const std::string& name, int partitions) : topic(test::unique_name(name)) {
    admin.create({topic_spec{topic, partitions, 1, {}}});
    cfg.set("logger.verbosity", caf::atom("quiet"));
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sink = sys->spawn<caf::detached>(
      kafka::sink_actor, kafka::settings{{"bootstrap.servers", bootstrap}, {"linger.ms", "0"}},
      std::vector<std::string>{topic}, &ctx);
    client = sys->spawn(txstream_client, sink, &log);
  }

  /// Stops both actors and waits for them (and the sink's producer).
  void stop() {
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
    client = nullptr;
    sink = nullptr;
    sys.reset();
  }

  /// Every value in the topic, in partition and offset order.
  std::vector<std::string> values() {
    std::vector<std::string> out;
    kafka::topic_reader reader{bootstrap};
    auto res = reader.read(topic, [&](const kafka::topic_record& r) { out.push_back(r.value); });
    CHECK(res.complete());
    return out;
  }

  ~sink_under_test() {
    if (sys)
      stop();
    admin.remove({topic});
  }
};

output_batch batch_of(const std::string& topic, std::vector<std::string> values,
                      std::int64_t may_wait_ms) {
  output_batch b;
  b.topic = topic;
  b.may_wait_ms = may_wait_ms;
  for (auto& v : values)
    b.records.push_back(output_record{"same_key", std::move(v), {}});
  return b;
}

}  // namespace

TEST_CASE("the sink holds batches that may wait and keeps the order of records", "[kafka]") {
  sink_under_test t{"sink_hold", 3};
  auto& log = t.log;
  // May wait 60 s: still unanswered a second later.
  caf::anon_send(t.client, batch_of(t.topic, {"a1", "a2"}, 60'000));
  std::this_thread::sleep_for(1s);
  CHECK(log.get().empty());
  // One that may not wait sends the held one first.
  const auto sent_b = std::chrono::steady_clock::now();
  caf::anon_send(t.client, batch_of(t.topic, {"b1"}, 0));
  REQUIRE(log.wait_for(2));
  CHECK(std::chrono::steady_clock::now() - sent_b < 20s);  // not after the 60 s
  CHECK(log.get() == std::vector<std::string>{"a1", "b1"});
  // A held batch with nothing after it goes out when its wait is over.
  caf::anon_send(t.client, batch_of(t.topic, {"c1"}, 200));
  caf::anon_send(t.client, batch_of(t.topic, {"d1", "d2"}, 200));
  REQUIRE(log.wait_for(4));
  CHECK(log.get() == std::vector<std::string>{"a1", "b1", "c1", "d1"});
  t.stop();
  // One key, one partition: the topic holds the records in the order sent.
  CHECK(t.values() == std::vector<std::string>{"a1", "a2", "b1", "c1", "d1", "d2"});
}

TEST_CASE("records a stopping sink still holds are delivered, not dropped", "[kafka]") {
  sink_under_test t{"sink_stop", 1};
  caf::anon_send(t.client, batch_of(t.topic, {"held1", "held2"}, 60'000));
  std::this_thread::sleep_for(500ms);
  t.stop();
  CHECK(t.log.get().empty());  // nobody was left to answer
  CHECK(t.values() == std::vector<std::string>{"held1", "held2"});
}
