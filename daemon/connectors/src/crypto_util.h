#pragma once

// Small crypto helpers for connectors (PKCE, HTTP signatures, Basic auth), on OpenSSL's libcrypto
// (private to this module). Any daemon/connectors/src/ file may include "crypto_util.h".

#include <string>
#include <string_view>

#include "bankrec/base/result.h"

namespace bankrec::connectors {

/// RFC 4648 base64 (with padding), or base64url without padding when `url` is set.
std::string base64_encode(std::string_view bytes, bool url = false);
/// Raw SHA-256 digest (32 bytes).
std::string sha256(std::string_view bytes);
/// Raw HMAC-SHA-256 (RFC 2104) of `data` under `key` (32 bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);
/// `bytes` random bytes from the OS CSPRNG (OpenSSL RAND_bytes), base64url: 32 bytes give 43 characters.
std::string random_urlsafe(std::size_t bytes);
/// PKCE S256 challenge of a verifier (RFC 7636 4.2): BASE64URL(SHA256(ASCII(verifier))).
std::string pkce_challenge(std::string_view verifier);
/// RSA/ECDSA signature with SHA-256 over `data` with the PEM private key in `key_file`; `algorithm`
/// (optional) receives the draft-cavage name: "rsa-sha256" for RSA keys, "hs2019" otherwise.
Result<std::string> sign_sha256(const std::string& key_file, std::string_view data,
                                std::string* algorithm = nullptr);
/// The base64 DER of the first certificate in a PEM file (the TPP-Signature-Certificate header).
Result<std::string> certificate_base64(const std::string& cert_file);
/// The certificate's serial number (hex) and issuer DN, for the draft-cavage keyId.
Result<std::string> certificate_key_id(const std::string& cert_file);

}  // namespace bankrec::connectors
