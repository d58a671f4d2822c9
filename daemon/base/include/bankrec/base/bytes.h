#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace bankrec {

/// Read-only view of raw input bytes (a file, an HTTP body, a ZIP member).
using Bytes = std::span<const std::byte>;

inline std::string_view as_text(Bytes bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline Bytes as_bytes(std::string_view text) { return std::as_bytes(std::span(text.data(), text.size())); }

}  // namespace bankrec
