// Deletes what one benchmark or test run made: its topics (`txstream topics
// create` made them under the run's TXSTREAM_TOPICS_*_NAME environment) and
// its consumer groups (left behind, the broker reloads each at every start).
//   bench_e2e_topics [--bootstrap B] delete NAME...
//   bench_e2e_topics [--bootstrap B] delete-groups PREFIX
//   bench_e2e_topics [--bootstrap B] delete-prefix PREFIX   (topics and groups)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "actors/kafka/topic_admin.hpp"

namespace {

/// Deletes the groups named; a consumer that has just closed leaves a member
/// behind until the broker's rebalance ends (seconds): such groups are tried
/// again for up to 15 s. Returns those still busy then.
std::vector<std::string> delete_groups(txstream::kafka::topic_admin& admin,
                                       const std::vector<std::string>& names) {
  auto busy = admin.remove_groups(names);
  for (int tries = 0; !busy.empty() && tries < 30; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    busy = admin.remove_groups(busy);
  }
  std::printf("deleted %zu consumer group(s)\n", names.size() - busy.size());
  if (!busy.empty())
    std::fprintf(stderr, "bench_e2e_topics: %zu group(s) still have members, e.g. %s\n",
                 busy.size(), busy.front().c_str());
  return busy;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bootstrap = "127.0.0.1:9092";
  int i = 1;
  if (argc > 2 && std::strcmp(argv[1], "--bootstrap") == 0) {
    bootstrap = argv[2];
    i = 3;
  }
  auto is = [&](const char* command) {
    return argc == i + 2 && std::strcmp(argv[i], command) == 0 && argv[i + 1][0] != '\0';
  };
  const bool topics = argc >= i + 2 && std::strcmp(argv[i], "delete") == 0;
  const bool groups = is("delete-groups");
  const bool prefixed = is("delete-prefix");
  if (!topics && !groups && !prefixed) {
    std::fprintf(stderr,
                 "usage: %s [--bootstrap B] delete NAME...\n"
                 "       %s [--bootstrap B] delete-groups PREFIX\n"
                 "       %s [--bootstrap B] delete-prefix PREFIX\n",
                 argv[0], argv[0], argv[0]);
    return 2;
  }
  try {
    txstream::kafka::topic_admin admin{bootstrap};
    if (topics) {
      std::vector<std::string> names(argv + i + 1, argv + argc);
      admin.remove(names);
      std::printf("deleted %zu topic(s)\n", names.size());
      return 0;
    }
    const std::string prefix = argv[i + 1];
    if (prefixed) {
      auto names = admin.topics_with_prefix(prefix);
      if (!names.empty())
        admin.remove(names);
      std::printf("deleted %zu topic(s)\n", names.size());
    }
    return delete_groups(admin, admin.groups_with_prefix(prefix)).empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_e2e_topics: %s\n", e.what());
    return 1;
  }
}
