#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace bankrec::net::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test pki: ") + what);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "extension");
  X509_EXTENSION_free(ext);
}

Cert make_cert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool is_ca,
               const std::string& eku, long serial) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("bankrec test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), signer, NID_ext_key_usage, eku);
    if (eku == "serverAuth") add_ext(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) != 0, "sign");
  return cert;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  check(f != nullptr && PEM_write_X509(f, cert) == 1, "write cert");
  std::fclose(f);
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  check(f != nullptr && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  std::fclose(f);
}

}  // namespace

TestPki TestPki::create(const std::filesystem::path& dir) {
  TestPki p;
  p.ca_cert = dir / "ca.pem";
  p.server_cert = dir / "server.pem";
  p.server_key = dir / "server.key";
  p.client_cert = dir / "client.pem";
  p.client_key = dir / "client.key";
  p.other_ca_cert = dir / "other-ca.pem";
  p.other_client_cert = dir / "other-client.pem";
  p.other_client_key = dir / "other-client.key";

  Key ca_key(EVP_EC_gen("P-256")), server_key(EVP_EC_gen("P-256")), client_key(EVP_EC_gen("P-256")),
      other_key(EVP_EC_gen("P-256")), other_client_key(EVP_EC_gen("P-256"));
  check(ca_key && server_key && client_key && other_key && other_client_key, "keygen");
  Cert ca = make_cert("bankrec test ca", ca_key.get(), nullptr, nullptr, true, "", 1);
  Cert server = make_cert("localhost", server_key.get(), ca.get(), ca_key.get(), false, "serverAuth", 2);
  Cert client = make_cert("bankrec tpp client", client_key.get(), ca.get(), ca_key.get(), false, "clientAuth", 3);
  Cert other = make_cert("unrelated ca", other_key.get(), nullptr, nullptr, true, "", 4);
  Cert other_client = make_cert("intruder", other_client_key.get(), other.get(), other_key.get(), false, "clientAuth", 5);
  write_cert(p.ca_cert, ca.get());
  write_cert(p.server_cert, server.get());
  write_key(p.server_key, server_key.get());
  write_cert(p.client_cert, client.get());
  write_key(p.client_key, client_key.get());
  write_cert(p.other_ca_cert, other.get());
  write_cert(p.other_client_cert, other_client.get());
  write_key(p.other_client_key, other_client_key.get());
  return p;
}

}  // namespace bankrec::net::testing
