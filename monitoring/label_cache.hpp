// Caches the child of a labelled metric family per label value.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <prometheus/family.h>

namespace txstream::monitoring {

/// Maps one label's values to the family children, so the hot path pays one
/// short map lookup under a mutex instead of a label-set hash in
/// prometheus-cpp. Children are never moved by prometheus-cpp, so the cached
/// pointers stay valid until remove().
///
/// `Key` is `std::string` (looked up by `std::string_view` without
/// allocation) or an integer type (rendered with std::to_string).
template <class Metric, class Key = std::string>
class label_cache {
public:
  /// Builds a child for a new label set, e.g. a histogram with its buckets.
  using factory = std::function<Metric&(prometheus::Family<Metric>&, const prometheus::Labels&)>;

  label_cache(prometheus::Family<Metric>& family, std::string label,
              factory make = default_factory())
    : family_(family), label_(std::move(label)), make_(std::move(make)) {
    // nop
  }

  /// The child for `key`, created on first use.
  template <class K>
  Metric& get(const K& key) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (auto i = children_.find(key); i != children_.end())
      return *i->second;
    auto& child = make_(family_, {{label_, to_label(key)}});
    children_.emplace(Key{key}, &child);
    return child;
  }

  /// Drops the child for `key` from the family, e.g. the lag gauge of a
  /// partition this node no longer owns.
  template <class K>
  void remove(const K& key) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (auto i = children_.find(key); i != children_.end()) {
      family_.Remove(i->second);
      children_.erase(i);
    }
  }

private:
  static factory default_factory() {
    return [](prometheus::Family<Metric>& family, const prometheus::Labels& labels) -> Metric& {
      return family.Add(labels);
    };
  }

  static std::string to_label(std::string_view x) {
    return std::string{x};
  }

  template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
  static std::string to_label(Int x) {
    return std::to_string(x);
  }

  prometheus::Family<Metric>& family_;
  std::string label_;
  factory make_;
  std::mutex mutex_;
  std::map<Key, Metric*, std::less<>> children_;
};

}  // namespace txstream::monitoring
