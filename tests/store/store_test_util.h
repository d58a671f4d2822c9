#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "bankrec/base/clock.h"
#include "bankrec/store/store.h"
#include "bankrec/testing/testing.h"

namespace bankrec::store::testing_util {

/// A clock that stands still unless moved.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point t = std::chrono::sys_days{std::chrono::year{2026} /
                                                                                     11 / 22} +
                                                               std::chrono::hours{9})
      : now_(t) {}
  std::chrono::system_clock::time_point now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  std::chrono::system_clock::time_point now_;
};

/// Records published checkpoints.
class RecordingSink final : public CheckpointSink {
 public:
  void publish(const Checkpoint& checkpoint) override { published.push_back(checkpoint); }
  std::vector<Checkpoint> published;
};

/// A fresh encrypted store in a temp dir with a test key.
struct TestStore {
  bankrec::testing::TempDir dir;
  SecretKey key = SecretKey::generate();
  SigningKey signing = SigningKey::generate();
  FakeClock clock;
  RecordingSink sink;
  std::unique_ptr<Store> store;

  explicit TestStore(AuditOptions audit = {}) {
    StoreOptions options;
    options.open.create = true;
    options.audit = audit;
    auto opened = Store::open(path(), key, signing, clock, &sink, options);
    EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error().describe());
    if (opened) store = std::move(*opened);
  }
  std::filesystem::path path() const { return dir.path() / "bankrec.db"; }
  /// Reopens after the test tampered with the file through another connection.
  Result<std::unique_ptr<Store>> reopen(AuditOptions audit = {}) {
    store.reset();
    StoreOptions options;
    options.audit = audit;
    return Store::open(path(), key, signing, clock, &sink, options);
  }
};

}  // namespace bankrec::store::testing_util
