#pragma once

#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"

/// Bridge API v2's legacy user model (docs.bridgeapi.io "deprecated user creation and
/// authentication"): a Bridge user per connector, created with an e-mail and a password. The password
/// is never stored: it is derived from a random seed kept encrypted in ConnectorState, so it can be
/// computed again on any run (and after a lost user uuid) but never leaks through config or logs.
namespace bankrec::connectors::bridge {

/// ConnectorState keys (secret): the derivation seed, made on first use; and an existing v2 user's
/// own password, which wins when an admin stores one (`bankrec connector secret NAME user_password`).
inline constexpr std::string_view kPasswordSeed = "password_seed";
inline constexpr std::string_view kUserPassword = "user_password";

/// "bk2-" + base64url(HMAC-SHA-256(seed, "bankrec bridge v2 user password|" + email)): 47 characters,
/// inside Bridge's 6..71.
std::string derive_password(std::string_view seed, std::string_view email);

/// The password for `email`: the stored user_password, else derived from the seed (a new seed is
/// written, and committed, before it is first used).
Result<std::string> v2_password(ConnectorState& state, std::string_view email);

}  // namespace bankrec::connectors::bridge
