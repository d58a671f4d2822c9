#include "bankrec/http/auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <mutex>
#include <set>

#include "bankrec/base/check.h"

namespace bankrec::http::auth {
namespace {

// The list, compiled in at build time (CMake writes it as a raw string literal).
constexpr std::string_view kCommonPasswordsText =
#include "common_passwords.inc"
    ;

void ensure_sodium() { BANKREC_CHECK(sodium_init() >= 0, "libsodium cannot initialise"); }

char unleet(char c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '!': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '@': return 'a';
    case '5': return 's';
    case '$': return 's';
    case '7': return 't';
    default: return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; }

/// Lower case, trailing and leading digits/symbols stripped, then letter-for-digit swaps undone.
std::string normalise(std::string_view word) {
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t b = 0, e = lower.size();
  while (b < e && !is_letter(lower[b])) ++b;
  while (e > b && !is_letter(lower[e - 1])) --e;
  std::string out;
  for (std::size_t i = b; i < e; ++i) out += unleet(lower[i]);
  return out;
}

const std::set<std::string, std::less<>>& common_set() {
  static const std::set<std::string, std::less<>> words = [] {
    std::set<std::string, std::less<>> s;
    std::string_view text = kCommonPasswordsText;
    while (!text.empty()) {
      const auto nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      if (line.empty() || line.starts_with("#!comment")) continue;
      std::string n = normalise(line);
      if (n.size() >= 3) s.insert(std::move(n));
      std::string lower;
      for (char c : line) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      s.insert(std::move(lower));
    }
    return s;
  }();
  return words;
}

/// Code points of valid UTF-8, or nullopt.
std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::nullopt;
    i += len;
    ++n;
  }
  return n;
}

bool is_run(std::string_view lower) {
  static constexpr std::string_view kRuns[] = {
      "0123456789012345678901234567890123456789", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
      "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm", "qwertzuiopasdfghjklyxcvbnmqwertzuiopasdfghjklyxcvbnm",
      "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p"};
  std::string reversed(lower.rbegin(), lower.rend());
  for (std::string_view run : kRuns)
    if (run.find(lower) != std::string_view::npos || run.find(reversed) != std::string_view::npos) return true;
  return false;
}

bool is_repetition_of_common(std::string_view base) {
  for (std::size_t d = 3; d < base.size(); ++d) {
    if (base.size() % d != 0) continue;
    bool repeated = true;
    for (std::size_t i = d; i < base.size() && repeated; ++i) repeated = base[i] == base[i % d];
    if (repeated && is_common_password(base.substr(0, d))) return true;
  }
  return false;
}

std::string to_lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kRecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";  // no i, l, o, 0, 1

}  // namespace

// ---- passwords ----

bool is_common_password(std::string_view word) { return common_set().contains(word); }

Result<void> check_password_policy(std::string_view password, std::string_view user_name) {
  if (password.size() > kMaxPasswordBytes)
    return fail(Errc::invalid_input, "password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  const auto chars = utf8_length(password);
  if (!chars) return fail(Errc::invalid_input, "password is not valid UTF-8");
  if (*chars < kMinPasswordChars)
    return fail(Errc::invalid_input, "password has " + std::to_string(*chars) + " characters; at least " +
                                         std::to_string(kMinPasswordChars) + " are needed");
  const std::string lower = to_lower(password);
  if (std::set<char>(lower.begin(), lower.end()).size() < 5)
    return fail(Errc::invalid_input, "password repeats too few different characters");
  if (is_run(lower)) return fail(Errc::invalid_input, "password is a keyboard or alphabet sequence");
  if (user_name.size() >= 3 && lower.find(to_lower(user_name)) != std::string::npos)
    return fail(Errc::invalid_input, "password contains the user name");
  if (lower.find("bankrec") != std::string::npos) return fail(Errc::invalid_input, "password contains 'bankrec'");
  const std::string base = normalise(password);
  if (is_common_password(lower) || is_common_password(base) || is_repetition_of_common(base))
    return fail(Errc::invalid_input, "password is too common (it is on the list of most used passwords, "
                                     "perhaps with digits or symbols added); a few unrelated words work well");
  return ok();
}

HashCost HashCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

HashCost HashCost::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

Result<std::string> hash_password(std::string_view password, HashCost cost) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(Errc::unavailable, "password hashing ran out of memory");
  return std::string(out.data());
}

bool verify_password(std::string_view password, std::string_view hash) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES || !hash.starts_with("$argon2id$")) return false;
  const std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view hash, HashCost cost) {
  ensure_sodium();
  const std::string h(hash);
  return crypto_pwhash_str_needs_rehash(h.c_str(), cost.ops, cost.mem_bytes) != 0;
}

void verify_dummy(std::string_view password, HashCost cost) {
  // One hash with the same cost as a real verification; its result is thrown away.
  (void)hash_password(password, cost);
}

// ---- TOTP ----

std::string hotp(std::string_view key, std::uint64_t counter, int digits) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message.data(), message.size(), mac.data(), &mac_len);
  // RFC 4226 section 5.3: dynamic truncation.
  const unsigned offset = mac[mac_len - 1] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - std::min<std::size_t>(code.size(), static_cast<std::size_t>(digits)), '0') + code;
}

std::int64_t totp_step(std::int64_t unix_seconds) {
  return unix_seconds >= 0 ? unix_seconds / kTotpPeriodSeconds : -1;
}

std::string totp_code(std::string_view key, std::int64_t step, int digits) {
  return hotp(key, static_cast<std::uint64_t>(step), digits);
}

std::optional<std::int64_t> totp_match(std::string_view key, std::string_view code, std::int64_t now_step, int window) {
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::optional<std::int64_t> found;
  for (std::int64_t step = now_step - window; step <= now_step + window; ++step) {
    if (step < 0) continue;
    const std::string expected = totp_code(key, step);
    if (sodium_memcmp(expected.data(), code.data(), 6) == 0 && !found) found = step;
  }
  return found;
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 0x1f];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '=' || c == '-') continue;
    const auto pos = kBase32.find(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (pos == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(pos);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

namespace {
std::string uri_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}
}  // namespace

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret) {
  // Key Uri Format (Google Authenticator wiki): label "issuer:account", issuer repeated as a parameter.
  return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(account) + "?secret=" + base32_encode(secret) +
         "&issuer=" + uri_escape(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

// ---- tokens ----

std::string random_bytes(std::size_t bytes) {
  ensure_sodium();
  std::string out(bytes, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string base64url(std::string_view bytes) {
  ensure_sodium();
  const auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string hash_hex(std::string_view data) {
  ensure_sodium();
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return hex(out.data(), out.size());
}

std::string keyed_token(std::string_view key, std::string_view message) {
  ensure_sodium();
  std::array<unsigned char, 32> out{};
  const std::size_t key_len = std::min<std::size_t>(key.size(), crypto_generichash_KEYBYTES_MAX);
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key_len);
  return base64url(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

std::vector<std::string> make_recovery_codes(std::size_t count) {
  ensure_sodium();
  std::vector<std::string> codes;
  for (std::size_t n = 0; n < count; ++n) {
    std::string code;
    for (int i = 0; i < 16; ++i) {
      if (i > 0 && i % 4 == 0) code += '-';
      code += kRecoveryAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kRecoveryAlphabet.size()))];
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

std::string normalise_recovery_code(std::string_view code) {
  std::string out;
  for (char c : code)
    if (c != '-' && c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace bankrec::http::auth
