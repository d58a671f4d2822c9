#pragma once

#include <sodium.h>

#include "bankrec/base/check.h"

namespace bankrec::store {

/// sodium_init() is idempotent and thread-safe; every entry point that uses libsodium calls this.
inline void ensure_sodium() { BANKREC_CHECK(sodium_init() >= 0, "libsodium cannot initialise"); }

}  // namespace bankrec::store
