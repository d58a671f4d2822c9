#pragma once

// Large arrays that a run reads at random (document postings, hash slots, trigram rows, the output
// decisions) each touch a new 4 KB page per lookup: at 100,000 lines against 100,000 items the
// page faults while they are filled and the TLB misses while they are read cost more than the
// lookups themselves. Asking the kernel for 2 MB pages (transparent huge pages, Linux) for these
// arrays only changes where their memory comes from; nothing reads or decides differently.
#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace bankrec::reconcile {

/// Asks for 2 MB pages for the whole 2 MB blocks inside [p, p + bytes). Call it before the memory
/// is first written (a page already faulted in stays small). A no-op elsewhere, for small
/// ranges, or when the kernel declines.
inline void advise_huge_pages(const void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  if (p == nullptr || bytes < 2 * kHuge) return;
  const auto first = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t begin = (first + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (first + bytes) & ~(kHuge - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

/// reserve() on an empty vector (or string) of plain values, with the new block advised for huge pages.
template <class V>
void reserve_huge(V& v, std::size_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(*v.data()));
}

/// `v` = n copies of `value` (an empty vector first), in memory advised for huge pages.
template <class V, class T>
void assign_huge(V& v, std::size_t n, const T& value) {
  if (v.capacity() < n) {
    V fresh;
    reserve_huge(fresh, n);
    v.swap(fresh);
  }
  v.assign(n, value);
}

}  // namespace bankrec::reconcile
