#include "crypto_util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "bankrec/base/check.h"

namespace bankrec::connectors {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Result<std::unique_ptr<X509, CertFree>> read_certificate(const std::string& cert_file) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(cert_file.c_str(), "rb"));
  if (!f) return fail(Errc::invalid_input, "cannot read certificate file", cert_file);
  std::unique_ptr<X509, CertFree> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail(Errc::invalid_input, "not a PEM certificate", cert_file);
  return cert;
}

}  // namespace

std::string base64_encode(std::string_view bytes, bool url) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url ? kUrl : kStd;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
  if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
  out += alphabet[(v >> 18) & 63];
  out += alphabet[(v >> 12) & 63];
  if (rest == 2) out += alphabet[(v >> 6) & 63];
  if (!url) out.append(rest == 1 ? 2 : 1, '=');
  return out;
}

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  BANKREC_CHECK(EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) == 1,
                "sha-256 failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  BANKREC_CHECK(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length) != nullptr,
                "hmac-sha-256 failed");
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string random_urlsafe(std::size_t bytes) {
  std::string raw(bytes, '\0');
  BANKREC_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) == 1,
                "the CSPRNG failed");
  return base64_encode(raw, /*url=*/true);
}

std::string pkce_challenge(std::string_view verifier) {
  return base64_encode(sha256(verifier), /*url=*/true);
}

Result<std::string> sign_sha256(const std::string& key_file, std::string_view data, std::string* algorithm) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(key_file.c_str(), "rb"));
  if (!f) return fail(Errc::invalid_input, "cannot read signing key file", key_file);
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
  if (!key) return fail(Errc::invalid_input, "not an unencrypted PEM private key", key_file);
  if (algorithm) *algorithm = EVP_PKEY_base_id(key.get()) == EVP_PKEY_RSA ? "rsa-sha256" : "hs2019";
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    return fail(Errc::invalid_input, "cannot sign with this key", key_file);
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return fail(Errc::invalid_input, "cannot sign with this key", key_file);
  signature.resize(length);
  return signature;
}

Result<std::string> certificate_base64(const std::string& cert_file) {
  auto cert = BANKREC_TRY(read_certificate(cert_file));
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert.get(), &der);
  if (length <= 0) return fail(Errc::invalid_input, "cannot encode the certificate", cert_file);
  std::string out =
      base64_encode(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return out;
}

Result<std::string> certificate_key_id(const std::string& cert_file) {
  auto cert = BANKREC_TRY(read_certificate(cert_file));
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert.get()), nullptr);
  char* hex = serial ? BN_bn2hex(serial) : nullptr;
  char* issuer = X509_NAME_oneline(X509_get_issuer_name(cert.get()), nullptr, 0);
  std::string out;
  if (hex && issuer) out = std::string("SN=") + hex + ",CA=" + issuer;
  OPENSSL_free(hex);
  OPENSSL_free(issuer);
  BN_free(serial);
  if (out.empty())
    return fail(Errc::invalid_input, "cannot read the certificate's serial number and issuer", cert_file);
  return out;
}

}  // namespace bankrec::connectors
