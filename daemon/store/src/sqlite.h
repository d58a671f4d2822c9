#pragma once

// SQLCipher's key functions are declared only with SQLITE_HAS_CODEC (set for this module in CMake).
#include <sqlcipher/sqlite3.h>

namespace bankrec::store {

struct DatabaseHandle {
  sqlite3* db = nullptr;
  ~DatabaseHandle();
};

struct QueryHandle {
  sqlite3_stmt* stmt = nullptr;
  sqlite3* db = nullptr;
};

}  // namespace bankrec::store
