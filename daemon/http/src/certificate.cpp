#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <system_error>

#include "bankrec/http/server.h"

namespace bankrec::http {
namespace {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename.
Result<void> write_atomically(const fs::path& path, const std::string& bytes, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail(Errc::unavailable, "cannot create file", tmp.string());
  bool ok_write = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (ok_write && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) ok_write = false;
    else done += static_cast<std::size_t>(n);
  }
  ok_write = ok_write && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok_write || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(Errc::unavailable, "cannot write file", path.string());
  }
  return ok();
}

Result<void> add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return fail(Errc::internal, "cannot add certificate extension");
  return ok();
}

}  // namespace

Result<void> ensure_self_signed_certificate(const fs::path& cert_file, const fs::path& key_file,
                                            const std::vector<std::string>& host_names) {
  std::error_code ec;
  if (fs::exists(cert_file, ec) && fs::exists(key_file, ec)) return ok();
  fs::create_directories(cert_file.parent_path(), ec);
  fs::create_directories(key_file.parent_path(), ec);

  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return fail(Errc::internal, "cannot generate a tls key");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  FILE* urandom = std::fopen("/dev/urandom", "rb");
  if (urandom == nullptr || std::fread(serial, 1, sizeof serial, urandom) != sizeof serial) {
    if (urandom) std::fclose(urandom);
    return fail(Errc::internal, "cannot read /dev/urandom");
  }
  std::fclose(urandom);
  serial[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  const std::string cn = host_names.empty() ? "localhost" : host_names.front();
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("bankrec"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san = "IP:127.0.0.1,IP:::1";
  for (const auto& h : host_names) san += ",DNS:" + h;
  BANKREC_TRY(add_extension(cert.get(), NID_subject_alt_name, san));
  BANKREC_TRY(add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  BANKREC_TRY(add_extension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  BANKREC_TRY(add_extension(cert.get(), NID_ext_key_usage, "serverAuth"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail(Errc::internal, "cannot sign the certificate");

  std::unique_ptr<BIO, BioFree> key_bio(BIO_new(BIO_s_mem())), cert_bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1)
    return fail(Errc::internal, "cannot encode the certificate");
  BANKREC_TRY(write_atomically(key_file, bio_to_string(key_bio.get()), 0600));
  BANKREC_TRY(write_atomically(cert_file, bio_to_string(cert_bio.get()), 0644));
  return ok();
}

Result<std::string> certificate_fingerprint(const fs::path& cert_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  if (f == nullptr) return fail(Errc::invalid_input, "cannot open certificate", cert_file.string());
  std::unique_ptr<X509, X509Free> cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!cert) return fail(Errc::invalid_input, "not a PEM certificate", cert_file.string());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &n) != 1) return fail(Errc::internal, "cannot hash the certificate");
  std::string out;
  char buf[4];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02X", md[i]);
    if (i) out += ':';
    out += buf;
  }
  return out;
}

}  // namespace bankrec::http
