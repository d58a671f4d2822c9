#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bankrec/base/result.h"
#include "bankrec/domain/open_item.h"

/// The contract's open-item columns, shared by the CSV and JSON Lines readers.
namespace bankrec::reconcile {

inline constexpr std::size_t kFieldCount = 13;

std::optional<std::size_t> find_open_item_field(std::string_view name);
const char* open_item_field_name(std::size_t field);
bool open_item_field_required(std::size_t field);

/// A cell as read, with its position for error messages.
struct RawValue {
  std::string text;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct RawOpenItem {
  std::array<std::optional<RawValue>, kFieldCount> values;
};

/// Validates and converts one row; errors name FILE:LINE:COL (column).
Result<domain::OpenItem> build_open_item(const RawOpenItem& raw, std::string_view file);

/// An invalid_input error with where = "FILE:LINE:COL (column)".
Unexpected open_item_error(std::string_view file, std::uint32_t line, std::uint32_t column, std::string_view column_name,
                           std::string message);

/// Refuses a second row with the same id, naming the first one's line.
class DuplicateIds {
 public:
  Result<void> add(const std::string& id, std::uint32_t line, std::string_view file);

 private:
  std::unordered_map<std::string, std::uint32_t> lines_;
};

}  // namespace bankrec::reconcile
