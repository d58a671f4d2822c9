// Uploads through the real HTTPS server: the body streamed to a private temp file, the upload limit
// (413 before and while the body arrives), access checks before the body, and the security headers
// on every kind of response.
#include <curl/curl.h>

#include <boost/json.hpp>

#include "bankrec/formats/format_registry.h"
#include "bankrec/http/api_data.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/server.h"
#include "store_test_util.h"

namespace bankrec::http {
namespace {

using ::testing::HasSubstr;
using store::testing_util::TestStore;
namespace json = boost::json;

constexpr const char* kPassword = "Kaffeetasse+Regenschirm";

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body, headers;
  std::string header(std::string name) const {
    std::string lower;
    for (char c : headers) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto p = lower.rfind("\n" + name + ":");  // the last response's (after a 100 Continue)
    if (p == std::string::npos) return {};
    const auto start = headers.find_first_not_of(' ', p + 2 + name.size());
    return headers.substr(start, headers.find('\r', start) - start);
  }
};

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct ChunkedSource {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t read_chunk(char* buffer, std::size_t size, std::size_t n, void* in) {
  auto* src = static_cast<ChunkedSource*>(in);
  const std::size_t len = std::min(size * n, std::min<std::size_t>(4096, src->data->size() - src->offset));
  std::memcpy(buffer, src->data->data() + src->offset, len);
  src->offset += len;
  return len;
}

class DataServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = t_.dir.path() / "tls" / "cert.pem";
    const auto key = t_.dir.path() / "tls" / "key.pem";
    ASSERT_OK(ensure_self_signed_certificate(cert_, key, {"localhost"}));
    AuthOptions options;
    options.hash_cost = auth::HashCost::minimum();
    auth_ = std::make_shared<AuthService>(*t_.store, secrets_, t_.clock, options);
    auto router = std::make_shared<Router>();
    install_auth_routes(*router, auth_);
    formats::register_builtin_formats(formats_);
    api_ = std::make_shared<DataApi>(DataApi{*t_.store, mutex_, t_.clock, formats_, {}, {}, {}, {}});
    api_->upload.max_bytes = 64 * 1024;
    api_->upload.dir = t_.dir.path() / "tmp" / "uploads";
    install_data_routes(*router, api_);
    ServerConfig config;
    config.port = 0;
    config.cert_file = cert_;
    config.key_file = key;
    config.max_body_bytes = 4096;  // the in-memory bound of every other route
    auto server = Server::start(config, router);
    ASSERT_OK(server);
    server_ = std::move(server).value();
    base_ = "https://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_.reset(); }

  Reply send(const std::string& method, const std::string& path, const std::string& body,
             std::vector<std::string> headers, bool chunked = false) {
    Reply r;
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, (base_ + path).c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, cert_.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    ChunkedSource source{&body};
    if (chunked) {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_chunk);
      curl_easy_setopt(curl, CURLOPT_READDATA, &source);
      headers.push_back("Transfer-Encoding: chunked");
    } else if (!body.empty() || method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    r.code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return r;
  }

  std::vector<std::string> sign_in(const std::string& name, Role role) {
    EXPECT_OK(auth_->create_user(name, role, kPassword, "test"));
    const Reply r = send("POST", "/api/v1/auth/login",
                         json::serialize(json::object{{"name", name}, {"password", kPassword}}),
                         {"Content-Type: application/json"});
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string cookie = r.header("Set-Cookie");
    return {"Cookie: " + cookie.substr(0, cookie.find(';')),
            "X-CSRF-Token: " + std::string(json::parse(r.body).at("csrf_token").as_string())};
  }

  std::vector<std::string> with(std::vector<std::string> a, std::initializer_list<std::string> b) {
    a.insert(a.end(), b);
    return a;
  }

  std::size_t temp_files() const {
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it(api_->upload.dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
  }

  static void expect_security_headers(const Reply& r, const std::string& what) {
    EXPECT_THAT(r.header("Strict-Transport-Security"), HasSubstr("max-age=")) << what;
    EXPECT_THAT(r.header("Content-Security-Policy"), HasSubstr("default-src 'self'")) << what;
    EXPECT_THAT(r.header("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'")) << what;
    EXPECT_THAT(r.header("Content-Security-Policy"), ::testing::Not(HasSubstr("unsafe-inline"))) << what;
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer") << what;
    EXPECT_EQ(r.header("Cache-Control"), "no-store") << what;
  }

  TestStore t_;
  store::SecretKey secrets_ = store::SecretKey::generate();
  std::mutex mutex_;
  formats::FormatRegistry formats_;
  std::shared_ptr<AuthService> auth_;
  std::shared_ptr<DataApi> api_;
  std::filesystem::path cert_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

std::string small_camt() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm></GrpHdr>"
         "<Stmt><Id>S1</Id><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm>"
         "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
         "<Ntry><Amt Ccy=\"EUR\">119.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
         "<BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef></Ntry>"
         "</Stmt></BkToCstmrStmt></Document>\n";
}

TEST_F(DataServerTest, an_upload_larger_than_the_in_memory_bound_is_streamed_to_disk_and_imported) {
  const auto anna = sign_in("anna", Role::accountant);
  // Far above max_body_bytes (4 KiB), below the upload limit (64 KiB): only a streamed body fits.
  std::string bytes = small_camt();
  bytes.insert(bytes.find("<BkToCstmrStmt>"), "<!--" + std::string(20000, 'x') + "-->");
  const Reply r = send("POST", "/api/v1/uploads", bytes,
                       with(anna, {"X-File-Name: big%C3%BC.xml", "Content-Type: application/octet-stream"}));
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"status\":\"imported\""));
  EXPECT_THAT(r.body, HasSubstr("\"file\":\"big\xC3\xBC.xml\""));
  EXPECT_THAT(r.body, HasSubstr("\"entries\":1"));
  expect_security_headers(r, "upload");
  EXPECT_EQ(temp_files(), 0u);  // the temp file is gone once the request is answered
  // Other routes keep the small in-memory bound.
  const Reply login = send("POST", "/api/v1/auth/login", std::string(5000, 'x'), {"Content-Type: application/json"});
  EXPECT_EQ(login.status, 413);
  // With Expect: 100-continue the body follows the server's go-ahead (curl waits for it).
  const Reply again = send("POST", "/api/v1/uploads", small_camt(),
                           with(anna, {"X-File-Name: a.xml", "Expect: 100-continue"}));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_THAT(again.body, HasSubstr("\"status\":\"imported\""));
}

TEST_F(DataServerTest, too_large_uploads_get_413_before_or_while_the_body_arrives) {
  const auto anna = sign_in("anna", Role::accountant);
  const std::string huge(200 * 1024, 'x');
  const Reply announced = send("POST", "/api/v1/uploads", huge, with(anna, {"X-File-Name: a.xml", "Expect: 100-continue"}));
  EXPECT_EQ(announced.status, 413) << announced.body << curl_easy_strerror(announced.code);
  EXPECT_THAT(announced.body, HasSubstr("payload_too_large"));
  expect_security_headers(announced, "413");
  const Reply sent = send("POST", "/api/v1/uploads", huge, with(anna, {"X-File-Name: a.xml", "Expect:"}));
  EXPECT_EQ(sent.status, 413) << curl_easy_strerror(sent.code);
  const Reply chunked = send("POST", "/api/v1/uploads", huge, with(anna, {"X-File-Name: a.xml", "Expect:"}), true);
  EXPECT_EQ(chunked.status, 413) << curl_easy_strerror(chunked.code);
  EXPECT_EQ(temp_files(), 0u);
  // Nothing of it was imported.
  std::lock_guard lock(mutex_);
  EXPECT_EQ(t_.store->db().query_int("SELECT count(*) FROM source_files").value_or(-1), 0);
}

TEST_F(DataServerTest, access_is_checked_before_the_body_is_read) {
  const auto vera = sign_in("vera", Role::viewer);
  const std::string body = small_camt();
  const Reply anonymous = send("POST", "/api/v1/uploads", body, {"X-File-Name: a.xml", "Expect: 100-continue"});
  EXPECT_EQ(anonymous.status, 401);
  expect_security_headers(anonymous, "401");
  const Reply viewer = send("POST", "/api/v1/uploads", body, with(vera, {"X-File-Name: a.xml"}));
  EXPECT_EQ(viewer.status, 403);
  EXPECT_THAT(viewer.body, HasSubstr("forbidden"));
  const Reply no_csrf = send("POST", "/api/v1/uploads", body, {vera.front(), "X-File-Name: a.xml"});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("csrf"));
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(DataServerTest, every_response_carries_the_security_headers_and_api_responses_are_not_cached) {
  const auto vera = sign_in("vera", Role::viewer);
  expect_security_headers(send("GET", "/api/v1/statements", {}, vera), "list");
  expect_security_headers(send("GET", "/api/v1/nothing-here", {}, vera), "404");
  expect_security_headers(send("GET", "/api/v1/statements/77", {}, vera), "404 of a route");
  expect_security_headers(send("GET", "/api/v1/statements", {}, {}), "401");
  expect_security_headers(send("DELETE", "/api/v1/statements", {}, vera), "405");
  expect_security_headers(send("GET", "/api/v1/openapi.yaml", {}, vera), "yaml");
  const Reply download = send("GET", "/api/v1/files/1/original", {}, vera);
  expect_security_headers(download, "download");
  EXPECT_EQ(send("GET", "/no-such-page", {}, {}).header("Content-Security-Policy").substr(0, 18),
            "default-src 'self'");
}

}  // namespace
}  // namespace bankrec::http
