#pragma once

// Open-addressing hash tables for the index and the per-run caches. std::unordered_map costs a
// node per key, a division per lookup and two or three cache misses; at 100,000 lines those
// lookups (IBAN, name, customer number, word classes, normalised names) were a fifth of the run.
// The hash only places keys in slots: no order, decision or stored value depends on it.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "huge_pages.h"

namespace bankrec::reconcile {

/// splitmix64's finaliser: spreads every input bit over the word.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// 64-bit hash of a byte string, eight bytes per step.
inline std::uint64_t hash_bytes(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = 0x2545F4914F6CDD1DULL ^ (static_cast<std::uint64_t>(s.size()) * kMul);
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
  }
  return mix64(h);
}

/// Dense ids for distinct strings: the k-th distinct key inserted gets id k. Keys are copied into
/// one buffer, so a table of many short keys makes a handful of allocations, not one per key.
class StringIds {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  void reserve(std::size_t keys) {
    if (keys * 2 > slots_.size()) rehash(capacity_for(keys));
    offsets_.reserve(keys + 1);
    if (arena_.empty()) reserve_huge(arena_, keys * 24);
  }
  /// The id of `key`; `second` is true when the key was new.
  std::pair<std::uint32_t, bool> insert(std::string_view key) {
    if ((size() + 1) * 2 > slots_.size()) rehash(capacity_for(size() + 1));
    const std::uint64_t h = hash_bytes(key);
    Slot& slot = slots_[find_slot(key, h)];
    if (slot.id != kNone) return {slot.id, false};
    const auto id = static_cast<std::uint32_t>(size());
    slot = {static_cast<std::uint32_t>(h >> 32), id};
    arena_.append(key);
    offsets_.push_back(static_cast<std::uint32_t>(arena_.size()));
    return {id, true};
  }
  /// The id of `key`, or kNone.
  std::uint32_t find(std::string_view key) const {
    if (slots_.empty()) return kNone;
    return slots_[find_slot(key, hash_bytes(key))].id;
  }
  /// A cache hint: starts loading the slot where `key` would be (find() a little later is faster).
  void prefetch(std::string_view key) const {
    if (slots_.empty()) return;
    __builtin_prefetch(&slots_[static_cast<std::size_t>(hash_bytes(key)) & (slots_.size() - 1)]);
  }
  std::size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return size() == 0; }
  std::string_view key(std::uint32_t id) const {
    return std::string_view(arena_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  void clear() {
    slots_.assign(slots_.size(), Slot{});
    offsets_.assign(1, 0);
    arena_.clear();
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;  ///< high half of the key's hash
    std::uint32_t id = kNone;
  };
  static std::size_t capacity_for(std::size_t keys) {
    std::size_t c = 16;
    while (c < keys * 2) c *= 2;
    return c;
  }
  /// The slot holding `key`, or the empty slot where it would go.
  std::size_t find_slot(std::string_view key, std::uint64_t h) const {
    const std::size_t mask = slots_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id == kNone || (s.tag == tag && this->key(s.id) == key)) return i;
    }
  }
  void rehash(std::size_t capacity) {
    std::vector<Slot> old;
    assign_huge(old, capacity, Slot{});
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kNone) continue;
      std::size_t i = static_cast<std::size_t>(hash_bytes(key(s.id))) & mask;
      while (slots_[i].id != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> offsets_{0};
  std::string arena_;
};

/// Values grouped by id, each group in the order it was added (a compressed adjacency list):
/// built once from (id, value) pairs, then read-only.
class Groups {
 public:
  /// `pairs` (id, value) in the order they were produced; `ids` is the number of ids.
  void build(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs, std::size_t ids) {
    starts_.assign(ids + 1, 0);
    for (const auto& [id, value] : pairs) ++starts_[id + 1];
    for (std::size_t k = 1; k < starts_.size(); ++k) starts_[k] += starts_[k - 1];
    assign_huge(values_, pairs.size(), std::uint32_t{0});
    std::vector<std::uint32_t> at(starts_.begin(), starts_.end() - 1);
    for (const auto& [id, value] : pairs) values_[at[id]++] = value;
  }
  std::span<const std::uint32_t> of(std::uint32_t id) const {
    if (id + 1 >= starts_.size()) return {};
    return std::span<const std::uint32_t>(values_).subspan(starts_[id], starts_[id + 1] - starts_[id]);
  }

 private:
  std::vector<std::uint32_t> starts_;
  std::vector<std::uint32_t> values_;
};

/// Counts per 64-bit key (keys already well mixed).
class KeyCounts {
 public:
  void reserve(std::size_t keys) {
    std::size_t c = 16;
    while (c < keys * 2) c *= 2;
    if (c > slots_.size()) rehash(c);
  }
  void add(std::uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    Slot& s = slots_[find_slot(key)];
    if (s.count == 0) {
      s.key = key;
      ++size_;
    }
    ++s.count;
  }
  int count(std::uint64_t key) const { return slots_.empty() ? 0 : slots_[find_slot(key)].count; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    int count = 0;  ///< 0: empty
  };
  std::size_t find_slot(std::uint64_t key) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(mix64(key)) & mask;; i = (i + 1) & mask)
      if (slots_[i].count == 0 || slots_[i].key == key) return i;
  }
  void rehash(std::size_t capacity) {
    std::vector<Slot> old;
    assign_huge(old, capacity, Slot{});
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.count != 0) slots_[find_slot(s.key)] = s;
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace bankrec::reconcile
