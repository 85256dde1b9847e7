#include "monitoring/metrics_registry.hpp"

#include <chrono>
#include <sstream>

#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>

namespace txstream::monitoring {

metrics_registry::metrics_registry(const std::string& version)
  : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
    .Name("txstream_up")
    .Help("1 while the txstream process is running")
    .Register(*registry_)
    .Add({})
    .Set(1);
  prometheus::BuildGauge()
    .Name("txstream_build_info")
    .Help("Always 1; the version label carries the txstream build version")
    .Register(*registry_)
    .Add({{"version", version}})
    .Set(1);
  using namespace std::chrono;
  auto now = duration<double>(system_clock::now().time_since_epoch()).count();
  prometheus::BuildGauge()
    .Name("txstream_start_time_seconds")
    .Help("Start time of the process since the Unix epoch in seconds")
    .Register(*registry_)
    .Add({})
    .Set(now);
}

std::vector<prometheus::MetricFamily> metrics_registry::collect() const {
  {
    std::lock_guard<std::mutex> guard{hooks_mutex_};
    for (auto& [id, hook] : hooks_)
      hook();
  }
  return registry_->Collect();
}

std::string metrics_registry::serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, collect());
  return out.str();
}

metrics_registry::hook_id metrics_registry::add_collect_hook(std::function<void()> hook) {
  std::lock_guard<std::mutex> guard{hooks_mutex_};
  auto id = next_hook_++;
  hooks_.emplace(id, std::move(hook));
  return id;
}

void metrics_registry::remove_collect_hook(hook_id id) {
  std::lock_guard<std::mutex> guard{hooks_mutex_};
  hooks_.erase(id);
}

}  // namespace txstream::monitoring
