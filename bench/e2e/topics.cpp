// Deletes the topics of one benchmark run (`txstream topics create` made
// them under the run's TXSTREAM_TOPICS_*_NAME environment).
//   bench_e2e_topics [--bootstrap B] delete NAME...
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "actors/kafka/topic_admin.hpp"

int main(int argc, char** argv) {
  std::string bootstrap = "127.0.0.1:9092";
  int i = 1;
  if (argc > 2 && std::strcmp(argv[1], "--bootstrap") == 0) {
    bootstrap = argv[2];
    i = 3;
  }
  if (argc < i + 2 || std::strcmp(argv[i], "delete") != 0) {
    std::fprintf(stderr, "usage: %s [--bootstrap B] delete NAME...\n", argv[0]);
    return 2;
  }
  std::vector<std::string> names(argv + i + 1, argv + argc);
  try {
    txstream::kafka::topic_admin admin{bootstrap};
    admin.remove(names);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_e2e_topics: %s\n", e.what());
    return 1;
  }
  std::printf("deleted %zu topic(s)\n", names.size());
  return 0;
}
