#include "random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "bankrec/net/http_client.h"

namespace bankrec::net {
namespace detail {

void random_bytes(void* out, std::size_t size) {
  auto* p = static_cast<unsigned char*>(out);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::getrandom(p + done, size - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fputs("bankrec: getrandom failed\n", stderr);
      std::abort();  // no randomness means no safe ids or nonces: never continue
    }
    done += static_cast<std::size_t>(n);
  }
}

std::string random_hex(std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string bytes(size, '\0');
  random_bytes(bytes.data(), size);
  std::string out;
  out.reserve(size * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

}  // namespace detail

std::string make_request_id() {
  unsigned char b[16];
  detail::random_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace bankrec::net
