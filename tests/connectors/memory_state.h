#pragma once

// An in-memory ConnectorState for connector tests: keeps values and every write batch, and can be
// told to fail writes (to prove that nothing is used before it is stored).

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bankrec/connectors/connector.h"

namespace bankrec::connectors::testing {

class MemoryState final : public ConnectorState {
 public:
  Result<std::optional<Value>> read(std::string_view key, bool secret) override {
    std::lock_guard lock(mutex_);
    const auto it = values_.find(std::string(key));
    if (it == values_.end() || it->second.secret != secret) return std::optional<Value>();
    return std::optional<Value>(Value{it->second.value, it->second.expires});
  }

  Result<void> write(const std::vector<Write>& writes) override {
    std::lock_guard lock(mutex_);
    if (fail_writes_) return fail(Errc::unavailable, "database is locked (test)");
    for (const Write& w : writes) {
      if (!w.value)
        values_.erase(w.key);
      else
        values_[w.key] = Stored{*w.value, w.secret, w.expires};
    }
    batches_.push_back(writes);
    return ok();
  }

  /// The value of `key` whatever its secrecy, or "".
  std::string get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = values_.find(key);
    return it == values_.end() ? std::string() : it->second.value;
  }
  bool has(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return values_.contains(key);
  }
  bool is_secret(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = values_.find(key);
    return it != values_.end() && it->second.secret;
  }
  void set(const std::string& key, const std::string& value, bool secret) {
    std::lock_guard lock(mutex_);
    values_[key] = Stored{value, secret, std::nullopt};
  }
  std::vector<std::vector<Write>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  void fail_writes(bool on) {
    std::lock_guard lock(mutex_);
    fail_writes_ = on;
  }

 private:
  struct Stored {
    std::string value;
    bool secret = false;
    std::optional<SysTime> expires;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Stored> values_;
  std::vector<std::vector<Write>> batches_;
  bool fail_writes_ = false;
};

/// The keys of one write batch, in order.
inline std::vector<std::string> keys_of(const std::vector<ConnectorState::Write>& batch) {
  std::vector<std::string> out;
  for (const auto& w : batch) out.push_back(w.key);
  return out;
}

}  // namespace bankrec::connectors::testing
