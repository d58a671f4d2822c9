#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "bankrec/base/result.h"

/// Key material kept outside the database: the 256-bit database key and the Ed25519 audit
/// signing key. Both live in locked memory (sodium_mlock where the RLIMIT allows it) and are
/// wiped (sodium_memzero) when they go away. Never logged, never printed.
namespace bankrec::store {

/// A 256-bit raw SQLCipher key.
class SecretKey {
 public:
  static constexpr std::size_t kBytes = 32;

  /// A fresh key from the system CSPRNG (libsodium randombytes_buf).
  static SecretKey generate();
  /// From exactly 64 hex digits (surrounding white space allowed); the message never echoes the text.
  static Result<SecretKey> from_hex(std::string_view hex);

  SecretKey(SecretKey&&) noexcept = default;
  SecretKey& operator=(SecretKey&&) noexcept = default;
  ~SecretKey();

  std::span<const unsigned char, kBytes> bytes() const {
    return std::span<const unsigned char, kBytes>(*data_);
  }

 private:
  SecretKey();
  std::unique_ptr<std::array<unsigned char, kBytes>> data_;
};

/// Ed25519 signing key for audit checkpoints (secret key and its public half).
class SigningKey {
 public:
  static constexpr std::size_t kSeedBytes = 32;
  static constexpr std::size_t kPublicBytes = 32;

  static SigningKey generate();
  /// From the 64-hex-digit seed stored in the key file.
  static Result<SigningKey> from_seed_hex(std::string_view hex);

  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;
  ~SigningKey();

  /// Detached Ed25519 signature (64 bytes) over `message`.
  std::array<unsigned char, 64> sign(std::span<const unsigned char> message) const;
  const std::array<unsigned char, kPublicBytes>& public_key() const { return public_key_; }
  /// Hex of the public key, what `audit verify` prints for auditors to pin.
  std::string public_key_hex() const;
  /// The seed in hex (tests compare keys with it; write_signing_key_file() stores it).
  std::string seed_hex() const;

 private:
  friend Result<void> write_signing_key_file(const std::filesystem::path& path, const SigningKey& key);
  SigningKey();
  std::unique_ptr<std::array<unsigned char, 64>> secret_;  //!< libsodium secret key: seed || public key
  std::array<unsigned char, kPublicBytes> public_key_{};
};

/// Verifies a detached Ed25519 signature.
bool verify_signature(std::span<const unsigned char> message, std::span<const unsigned char> signature,
                      std::span<const unsigned char> public_key);

/// Where key files are looked for, in order (contracts/cli.md): `$CREDENTIALS_DIRECTORY/<name>`,
/// the file named by the environment override, `DATA_DIR/<name>`. The caller reads the environment.
struct KeyLocations {
  std::string credentials_directory;  //!< $CREDENTIALS_DIRECTORY, empty when unset
  std::string key_file_override;      //!< BANKREC_DB_KEY_FILE (or BANKREC_AUDIT_KEY_FILE), empty when unset
  std::filesystem::path data_dir;
};

/// The first candidate that exists, or nullopt when none does.
std::optional<std::filesystem::path> find_key_file(const KeyLocations& where, std::string_view file_name);

/// Reads a key file holding 64 hex digits. Refuses a file readable or writable by group or others
/// (permission_denied) and anything that is not exactly one 256-bit key (invalid_input).
Result<SecretKey> load_secret_key(const std::filesystem::path& path);
Result<SigningKey> load_signing_key(const std::filesystem::path& path);

/// Writes 64 hex digits and a newline with mode 0600: temporary file, fsync, rename, fsync of the
/// directory, so a crash leaves either the old file or the new one, never a partial key.
Result<void> write_key_file(const std::filesystem::path& path, std::span<const unsigned char> key);
/// write_key_file() for the Ed25519 seed of `key`.
Result<void> write_signing_key_file(const std::filesystem::path& path, const SigningKey& key);

}  // namespace bankrec::store
