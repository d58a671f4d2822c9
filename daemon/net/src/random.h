#pragma once

#include <cstddef>
#include <string>

namespace bankrec::net::detail {

/// Fills `out` from the OS CSPRNG (getrandom); aborts the process if the kernel cannot deliver.
void random_bytes(void* out, std::size_t size);
/// `size` random bytes as lower-case hex.
std::string random_hex(std::size_t size);

}  // namespace bankrec::net::detail
