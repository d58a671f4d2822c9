#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Counters, gauges and histograms with labels, and their Prometheus text exposition (format 0.0.4).
/// Metric names follow `bankrec_<module>_<what>_<unit>`. Updates are lock-free atomics; only the
/// creation of a new label combination and rendering take the registry's lock.
namespace bankrec::metrics {

/// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// Fixed upper bounds (ascending); observations in the unit of the metric name (seconds, bytes).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  ///< one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  ///< non-cumulative, bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micro_{0};  ///< sum * 1e6, so that it stays an integer atomic
};

/// Default buckets for durations in seconds: 1 ms .. 5 min.
std::vector<double> duration_buckets();

template <class M>
class Family;

/// Owns every metric family; families live as long as the registry.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<double> bounds,
                               std::vector<std::string> label_names = {});

  /// The Prometheus text format, families sorted by name, series by label values.
  std::string render() const;

 private:
  struct FamilyBase;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families_;

  template <class M>
  friend class Family;
};

/// A metric name with its labels; `with()` returns the series for one label combination, creating it once.
template <class M>
class Family {
 public:
  M& with(const LabelValues& values);
  M& unlabelled() { return with({}); }

 private:
  friend class Registry;
  Family(std::mutex& mutex, std::vector<std::string> label_names, std::vector<double> bounds)
      : mutex_(mutex), label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}
  std::mutex& mutex_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  std::map<LabelValues, std::unique_ptr<M>> series_;
};

/// Escapes a label value as the exposition format requires (backslash, quote, newline).
std::string escape_label_value(std::string_view value);

}  // namespace bankrec::metrics
