#include "bridge_v2.h"

#include "crypto_util.h"

namespace bankrec::connectors::bridge {

namespace {

constexpr std::size_t kSeedBytes = 32;

}  // namespace

std::string derive_password(std::string_view seed, std::string_view email) {
  const std::string message = "bankrec bridge v2 user password|" + std::string(email);
  return "bk2-" + base64_encode(hmac_sha256(seed, message), /*url=*/true);
}

Result<std::string> v2_password(ConnectorState& state, std::string_view email) {
  if (const auto own = BANKREC_TRY(state.read(kUserPassword, /*secret=*/true)); own && !own->value.empty())
    return own->value;
  const auto seed = BANKREC_TRY(state.read(kPasswordSeed, /*secret=*/true));
  if (seed && !seed->value.empty()) return derive_password(seed->value, email);
  // First use: the seed is committed before any user is created with the password it gives, so a
  // crash between the two cannot leave a Bridge user whose password nobody can compute.
  const std::string fresh = random_urlsafe(kSeedBytes);
  BANKREC_TRY(state.write({{std::string(kPasswordSeed), fresh, true, std::nullopt}}));
  return derive_password(fresh, email);
}

}  // namespace bankrec::connectors::bridge
