#pragma once

#include <span>
#include <string_view>

namespace bankrec::store {

/// One schema step: applying `sql` to a database at version - 1 gives `version`.
struct Migration {
  int version;
  std::string_view summary;
  std::string_view sql;
};

/// Every migration, in version order; the last one's version is the schema this binary writes.
std::span<const Migration> migrations();

}  // namespace bankrec::store
