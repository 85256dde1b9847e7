#include "monitoring/memory_probe.hpp"

#include <cstdio>
#include <cstring>

#include "monitoring/family_builders.hpp"

namespace txstream::monitoring {

namespace {

/// A "VmRSS:"-style line of /proc/self/status in bytes, 0 if absent.
double status_bytes(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr)
    return 0;
  char line[256];
  double bytes = 0;
  const auto n = std::strlen(field);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long kb = 0;
    if (std::strncmp(line, field, n) == 0 && std::sscanf(line + n, "%lu", &kb) == 1) {
      bytes = static_cast<double>(kb) * 1024.0;
      break;
    }
  }
  std::fclose(f);
  return bytes;
}

}  // namespace

memory_probe::memory_probe(metrics_registry& registry)
  : registry_(registry),
    budget_(gauge_family(registry, "txstream_memory_budget_bytes",
                         "The node's memory budget (part=\"total\") and its shares")),
    used_(gauge_family(registry, "txstream_memory_used_bytes",
                       "Bytes each part of the memory budget holds now")),
    resident_(gauge_family(registry, "txstream_process_resident_bytes",
                           "Resident memory of the process now")
                .Add({})),
    peak_resident_(gauge_family(registry, "txstream_process_peak_resident_bytes",
                                "Highest resident memory of the process so far")
                     .Add({})),
    windows_(used_.Add({{"part", "windows"}})),
    open_windows_(gauge_family(registry, "txstream_open_windows",
                               "Open merchant x currency windows this node's aggregators hold")
                    .Add({})) {
  hook_ = registry_.add_collect_hook([this] { update(); });
}

memory_probe::~memory_probe() {
  registry_.remove_collect_hook(hook_);
}

void memory_probe::budget(const std::string& part, std::int64_t bytes) {
  budget_.Add({{"part", part}}).Set(static_cast<double>(bytes));
}

void memory_probe::sample(const std::string& part, sampler read) {
  std::lock_guard<std::mutex> guard{mutex_};
  samplers_[part] = std::move(read);
}

void memory_probe::windows(std::uint32_t host, std::int64_t count, std::int64_t bytes) {
  std::lock_guard<std::mutex> guard{mutex_};
  windows_by_host_[host] = {count, bytes};
}

void memory_probe::forget_windows() {
  std::lock_guard<std::mutex> guard{mutex_};
  windows_by_host_.clear();
}

void memory_probe::update() {
  std::lock_guard<std::mutex> guard{mutex_};
  for (const auto& [part, read] : samplers_)
    used_.Add({{"part", part}}).Set(static_cast<double>(read()));
  std::int64_t count = 0;
  std::int64_t bytes = 0;
  for (const auto& [host, held] : windows_by_host_) {
    count += held.first;
    bytes += held.second;
  }
  windows_.Set(static_cast<double>(bytes));
  open_windows_.Set(static_cast<double>(count));
  resident_.Set(status_bytes("VmRSS:"));
  peak_resident_.Set(status_bytes("VmHWM:"));
}

}  // namespace txstream::monitoring
