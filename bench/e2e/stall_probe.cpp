// Whether the machine itself stalls: sleeps 1 ms in a loop and prints every
// wake-up that came more than --gap-ms late, until killed. Run at real-time
// priority (SCHED_FIFO, when allowed) it preempts every ordinary process, so
// a late wake-up means the whole VM did not run (host contention), not that
// the broker or the node kept the CPUs busy. A latency spike with no stall
// here happened inside the processes.
//   bench_e2e_stall_probe [--gap-ms MS]
// Prints "stall_probe policy=<fifo|normal>" first, then one line per stall:
//   stall <unix_ms> gap_ms=<ms>
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

int main(int argc, char** argv) {
  double gap_ms = 15;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--gap-ms") == 0 && i + 1 < argc) {
      gap_ms = std::strtod(argv[++i], nullptr);
    } else {
      std::fprintf(stderr, "usage: %s [--gap-ms MS]\n", argv[0]);
      return 2;
    }
  }
  sched_param param{};
  param.sched_priority = 50;
  const bool fifo = sched_setscheduler(0, SCHED_FIFO, &param) == 0;
  std::printf("stall_probe policy=%s gap_ms=%.1f\n", fifo ? "fifo" : "normal", gap_ms);
  std::fflush(stdout);
  using clock = std::chrono::steady_clock;
  const auto limit = std::chrono::duration<double, std::milli>(gap_ms + 1);
  auto before = clock::now();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto now = clock::now();
    if (now - before > limit) {
      const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
      std::printf("stall %lld gap_ms=%.1f\n", static_cast<long long>(wall),
                  std::chrono::duration<double, std::milli>(now - before).count());
      std::fflush(stdout);
    }
    before = now;
  }
}
