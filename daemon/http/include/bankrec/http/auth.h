#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"

/// The console's credential primitives: password policy and Argon2id hashes (libsodium), TOTP
/// (RFC 6238), recovery codes, random tokens and the enrolment QR code (libqrencode).
namespace bankrec::http::auth {

// ---- passwords ----

inline constexpr std::size_t kMinPasswordChars = 12;    ///< Unicode code points
inline constexpr std::size_t kMaxPasswordBytes = 1024;  ///< Argon2 takes any length; this bounds the work

/// Refuses (invalid_input, with the reason) a password shorter than 12 characters, longer than 1024
/// bytes, not UTF-8, made of a few repeated characters or a keyboard/alphabet run, containing the
/// user name, or that is a common password (the compiled-in list, ~3,500 entries from Openwall's
/// public-domain password.lst shipped by Debian's john-data) after lower-casing, undoing common
/// letter-for-digit swaps and stripping leading/trailing digits and symbols ("Passw0rd2024!").
Result<void> check_password_policy(std::string_view password, std::string_view user_name);
/// Whether `word` (already normalised: lower case) is on the common-password list.
bool is_common_password(std::string_view word);

/// Argon2id cost. interactive() is libsodium's INTERACTIVE (ops 2, 64 MiB): what bankrec uses.
/// minimum() exists for unit tests that hash many passwords; production code never uses it.
struct HashCost {
  std::uint64_t ops = 0;
  std::size_t mem_bytes = 0;
  static HashCost interactive();
  static HashCost minimum();
};

/// crypto_pwhash_str (Argon2id, random salt): "$argon2id$v=19$m=65536,t=2,p=1$...".
Result<std::string> hash_password(std::string_view password, HashCost cost = HashCost::interactive());
/// Constant-time verification against a stored hash string; false for an empty or foreign hash.
bool verify_password(std::string_view password, std::string_view hash);
/// True when `hash` was made with other parameters than `cost` (rehash after a login).
bool needs_rehash(std::string_view hash, HashCost cost = HashCost::interactive());
/// Burns the time of one verification: used when the user does not exist, so timing does not tell.
void verify_dummy(std::string_view password, HashCost cost = HashCost::interactive());

// ---- TOTP (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits) ----

inline constexpr std::int64_t kTotpPeriodSeconds = 30;
inline constexpr std::size_t kTotpSecretBytes = 20;  ///< 160 bits, RFC 4226 section 4

/// The HOTP value (RFC 4226) of `counter` with `digits` digits, zero-padded.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = 6);
/// The time step of a Unix time.
std::int64_t totp_step(std::int64_t unix_seconds);
/// The code for one time step.
std::string totp_code(std::string_view key, std::int64_t step, int digits = 6);
/// The step (within ±`window` steps of `now_step`) whose code equals `code`, else nullopt.
/// Compares in constant time. Replay (a step already used) is the caller's check.
std::optional<std::int64_t> totp_match(std::string_view key, std::string_view code, std::int64_t now_step,
                                       int window = 1);

/// RFC 4648 base32 without padding (what authenticator apps read).
std::string base32_encode(std::string_view bytes);
/// Accepts upper or lower case, spaces and padding; nullopt on another character.
std::optional<std::string> base32_decode(std::string_view text);
/// otpauth://totp/ISSUER:NAME?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret);

// ---- random tokens and recovery codes ----

/// `bytes` random bytes (libsodium's CSPRNG).
std::string random_bytes(std::size_t bytes);
/// base64url without padding.
std::string base64url(std::string_view bytes);
/// Lower-case hex of the BLAKE2b-256 hash (session ids, CSRF tokens and recovery codes at rest).
std::string hash_hex(std::string_view data);
/// Keyed BLAKE2b-256 of `message` as base64url: the session's CSRF token derived from its id.
std::string keyed_token(std::string_view key, std::string_view message);

/// `count` recovery codes of 80 bits, "abcd-efgh-jkmn-pqrs" (base32 without look-alikes).
std::vector<std::string> make_recovery_codes(std::size_t count = 10);
/// Upper-cased, without dashes and spaces: what is hashed, so typing variations still match.
std::string normalise_recovery_code(std::string_view code);

// ---- QR code of the otpauth URI ----

/// An SVG image (no script, no external reference): black modules as one path, quiet zone 4.
Result<std::string> qr_svg(std::string_view text);
/// The QR code as UTF-8 half blocks for a terminal (two module rows per line, quiet zone 2).
Result<std::string> qr_terminal(std::string_view text);

}  // namespace bankrec::http::auth
