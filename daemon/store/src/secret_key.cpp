#include "bankrec/store/secret_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "hex.h"
#include "sodium_init.h"

namespace bankrec::store {
namespace {

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

/// Reads a small key file into locked memory after checking its permissions.
Result<std::string> read_key_text(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int err = errno;
    return fail(err == ENOENT ? Errc::not_found : Errc::permission_denied,
                std::string("cannot open key file: ") + std::strerror(err), path.string());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(Errc::invalid_input, "key file is not a regular file", path.string());
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return fail(Errc::permission_denied,
                "key file is accessible by group or others (mode " + mode_text(st.st_mode) +
                    "); refusing it (run: chmod 600 " + path.string() + ")",
                path.string());
  }
  std::string text(256, '\0');
  sodium_mlock(text.data(), text.size());
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (done == text.size()) {
    sodium_munlock(text.data(), text.size());
    return fail(Errc::invalid_input, "key file is too large to be a 256-bit key", path.string());
  }
  // The caller wipes the text; only the used part matters.
  std::string used(text.data(), done);
  sodium_munlock(text.data(), text.size());
  return used;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

void wipe(std::string& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace

SecretKey::SecretKey() : data_(std::make_unique<std::array<unsigned char, kBytes>>()) {
  ensure_sodium();
  sodium_mlock(data_->data(), data_->size());  // best effort: RLIMIT_MEMLOCK may forbid it
}

SecretKey::~SecretKey() {
  if (data_ == nullptr) return;
  sodium_memzero(data_->data(), data_->size());
  sodium_munlock(data_->data(), data_->size());
}

SecretKey SecretKey::generate() {
  SecretKey key;
  randombytes_buf(key.data_->data(), key.data_->size());
  return key;
}

Result<SecretKey> SecretKey::from_hex(std::string_view hex) {
  SecretKey key;
  if (!store::from_hex(trim_space(hex), *key.data_))
    return fail(Errc::invalid_input, "a key must be exactly 64 hex digits (256 bits)");
  return key;
}

SigningKey::SigningKey() : secret_(std::make_unique<std::array<unsigned char, 64>>()) {
  ensure_sodium();
  sodium_mlock(secret_->data(), secret_->size());
}

SigningKey::~SigningKey() {
  if (secret_ == nullptr) return;
  sodium_memzero(secret_->data(), secret_->size());
  sodium_munlock(secret_->data(), secret_->size());
}

SigningKey SigningKey::generate() {
  SigningKey key;
  crypto_sign_keypair(key.public_key_.data(), key.secret_->data());
  return key;
}

Result<SigningKey> SigningKey::from_seed_hex(std::string_view hex) {
  SigningKey key;
  std::array<unsigned char, kSeedBytes> seed{};
  if (!store::from_hex(trim_space(hex), seed))
    return fail(Errc::invalid_input, "a signing key must be exactly 64 hex digits (an Ed25519 seed)");
  crypto_sign_seed_keypair(key.public_key_.data(), key.secret_->data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::array<unsigned char, 64> SigningKey::sign(std::span<const unsigned char> message) const {
  std::array<unsigned char, 64> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_->data());
  return signature;
}

std::string SigningKey::public_key_hex() const { return to_hex(public_key_); }

std::string SigningKey::seed_hex() const {
  // libsodium's Ed25519 secret key is seed || public key.
  return to_hex(std::span<const unsigned char>(secret_->data(), kSeedBytes));
}

bool verify_signature(std::span<const unsigned char> message, std::span<const unsigned char> signature,
                      std::span<const unsigned char> public_key) {
  ensure_sodium();
  if (signature.size() != crypto_sign_BYTES || public_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) ==
         0;
}

std::optional<std::filesystem::path> find_key_file(const KeyLocations& where, std::string_view file_name) {
  std::error_code ec;
  if (!where.credentials_directory.empty()) {
    const auto p = std::filesystem::path(where.credentials_directory) / file_name;
    if (std::filesystem::exists(p, ec)) return p;
  }
  if (!where.key_file_override.empty()) return std::filesystem::path(where.key_file_override);
  const auto p = where.data_dir / file_name;
  if (std::filesystem::exists(p, ec)) return p;
  return std::nullopt;
}

Result<SecretKey> load_secret_key(const std::filesystem::path& path) {
  std::string text = BANKREC_TRY(read_key_text(path));
  auto key = SecretKey::from_hex(text);
  wipe(text);
  if (!key) return fail(Errc::invalid_input, key.error().message, path.string());
  return key;
}

Result<SigningKey> load_signing_key(const std::filesystem::path& path) {
  std::string text = BANKREC_TRY(read_key_text(path));
  auto key = SigningKey::from_seed_hex(text);
  wipe(text);
  if (!key) return fail(Errc::invalid_input, key.error().message, path.string());
  return key;
}

Result<void> write_key_file(const std::filesystem::path& path, std::span<const unsigned char> key) {
  std::string text = to_hex(key) + "\n";
  const std::filesystem::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    wipe(text);
    return fail(Errc::permission_denied, std::string("cannot create key file: ") + std::strerror(err),
                tmp.string());
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  wipe(text);
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(Errc::internal, std::string("cannot write key file: ") + std::strerror(err), path.string());
  }
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok();
}

Result<void> write_signing_key_file(const std::filesystem::path& path, const SigningKey& key) {
  return write_key_file(path, std::span<const unsigned char>(key.secret_->data(), SigningKey::kSeedBytes));
}

}  // namespace bankrec::store
