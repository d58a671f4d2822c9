#include "bankrec/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <variant>

#include "bankrec/base/check.h"

namespace bankrec::metrics {
namespace {

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  // Prefer the short form when it round-trips ("0.005" rather than "0.0050000000000000001").
  for (int precision = 1; precision < 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) return buf;
  }
  return s;
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; });
}

std::string label_block(const std::vector<std::string>& names, const LabelValues& values,
                        std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ",";
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  return out + "}";
}

}  // namespace

struct Registry::FamilyBase {
  std::string help;
  std::string type;
  std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>, std::unique_ptr<Family<Histogram>>>
      family;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  BANKREC_CHECK(std::is_sorted(bounds_.begin(), bounds_.end()), "histogram bounds must ascend");
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) sum_micro_.fetch_add(static_cast<std::uint64_t>(std::llround(value * 1e6)), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
  return s;
}

std::vector<double> duration_buckets() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

template <class M>
M& Family<M>::with(const LabelValues& values) {
  BANKREC_CHECK(values.size() == label_names_.size(), "label values do not match the label names");
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  if (it == series_.end()) {
    std::unique_ptr<M> metric;
    if constexpr (std::is_same_v<M, Histogram>)
      metric = std::make_unique<Histogram>(bounds_);
    else
      metric = std::make_unique<M>();
    it = series_.emplace(values, std::move(metric)).first;
  }
  return *it->second;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  BANKREC_CHECK(is_valid_name(name), "invalid metric name");
  std::lock_guard lock(mutex_);
  BANKREC_CHECK(!families_.contains(name), "duplicate metric name");
  auto family = std::unique_ptr<Family<Counter>>(new Family<Counter>(mutex_, std::move(label_names), {}));
  auto& ref = *family;
  families_.emplace(std::move(name), std::make_unique<FamilyBase>(FamilyBase{std::move(help), "counter", std::move(family)}));
  return ref;
}

Family<Gauge>& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  BANKREC_CHECK(is_valid_name(name), "invalid metric name");
  std::lock_guard lock(mutex_);
  BANKREC_CHECK(!families_.contains(name), "duplicate metric name");
  auto family = std::unique_ptr<Family<Gauge>>(new Family<Gauge>(mutex_, std::move(label_names), {}));
  auto& ref = *family;
  families_.emplace(std::move(name), std::make_unique<FamilyBase>(FamilyBase{std::move(help), "gauge", std::move(family)}));
  return ref;
}

Family<Histogram>& Registry::histogram(std::string name, std::string help, std::vector<double> bounds,
                                       std::vector<std::string> label_names) {
  BANKREC_CHECK(is_valid_name(name), "invalid metric name");
  std::lock_guard lock(mutex_);
  BANKREC_CHECK(!families_.contains(name), "duplicate metric name");
  auto family =
      std::unique_ptr<Family<Histogram>>(new Family<Histogram>(mutex_, std::move(label_names), std::move(bounds)));
  auto& ref = *family;
  families_.emplace(std::move(name),
                    std::make_unique<FamilyBase>(FamilyBase{std::move(help), "histogram", std::move(family)}));
  return ref;
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, base] : families_) {
    out += "# HELP " + name + " " + base->help + "\n# TYPE " + name + " " + base->type + "\n";
    if (const auto* c = std::get_if<std::unique_ptr<Family<Counter>>>(&base->family)) {
      for (const auto& [values, m] : (*c)->series_)
        out += name + label_block((*c)->label_names_, values) + " " + std::to_string(m->value()) + "\n";
    } else if (const auto* g = std::get_if<std::unique_ptr<Family<Gauge>>>(&base->family)) {
      for (const auto& [values, m] : (*g)->series_)
        out += name + label_block((*g)->label_names_, values) + " " + std::to_string(m->value()) + "\n";
    } else if (const auto* h = std::get_if<std::unique_ptr<Family<Histogram>>>(&base->family)) {
      for (const auto& [values, m] : (*h)->series_) {
        const auto snap = m->snapshot();
        for (std::size_t i = 0; i <= m->bounds().size(); ++i) {
          const std::string le = i < m->bounds().size() ? format_double(m->bounds()[i]) : "+Inf";
          out += name + "_bucket" + label_block((*h)->label_names_, values, "le", le) + " " +
                 std::to_string(snap.cumulative[i]) + "\n";
        }
        out += name + "_sum" + label_block((*h)->label_names_, values) + " " + format_double(snap.sum) + "\n";
        out += name + "_count" + label_block((*h)->label_names_, values) + " " + std::to_string(snap.count) + "\n";
      }
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace bankrec::metrics
