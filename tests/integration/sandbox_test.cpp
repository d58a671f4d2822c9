// Starts the real bankrec-sandbox on 127.0.0.1 and talks to it over verified TLS with libcurl:
// Berlin Group XS2A (consent, OAuth with PKCE, accounts, balances, paginated transactions, camt.052),
// Bridge v3, GoCardless, the fault switches and the control endpoints.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "bankrec/testing/testing.h"

namespace bankrec {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kToday = "2026-11-20";

struct Http {
  CURLcode code = CURLE_COULDNT_CONNECT;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names
  double seconds = 0;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  json::value json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << body.substr(0, 300);
    return v;
  }
};

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

std::string sha256_b64url(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0, value = 0;
  for (unsigned i = 0; i < length; ++i) {
    value = (value << 8) | digest[i];
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(value >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(value << (6 - bits)) & 63];
  return out;
}

std::string uuid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-4%x%02x-a%x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
                b[6] & 15, b[7], b[8] & 15, b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return buf;
}

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

/// One running sandbox, started with a fixed date so the data are known.
class Sandbox {
 public:
  explicit Sandbox(std::vector<std::string> extra = {}, std::string seed = "7") {
    std::vector<std::string> argv{BANKREC_SANDBOX, "--listen", "127.0.0.1:0", "--data-dir", (dir_.path() / "data").string(),
                                  "--today", kToday, "--seed", seed};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<testing::Process>(argv, dir_.path(), "sandbox");
    const fs::path out = dir_.path() / "sandbox.out";
    for (int i = 0; i < 400; ++i) {
      std::ifstream in(out);
      std::string line;
      std::map<std::string, std::string> kv;
      bool ready = false;
      while (std::getline(in, line)) {
        if (line == "ready") ready = true;
        if (const auto eq = line.find('='); eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
      }
      if (ready) {
        url = kv["url"];
        cert = kv["cert"];
        fingerprint = kv["sha256"];
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "sandbox did not become ready: " << process_->stderr_text();
  }

  Http call(const std::string& method, const std::string& target, const std::vector<std::string>& headers = {},
            const std::string& body = {}, long timeout_ms = 10000, bool tls11 = false) const {
    Http r;
    CURL* curl = curl_easy_init();
    const std::string full = target.starts_with("https://") ? target : url + target;
    curl_easy_setopt(curl, CURLOPT_URL, full.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, cert.c_str());
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (tls11) curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_1) | static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_1));
    if (!body.empty() || method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_slist* list = nullptr;
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    const auto start = std::chrono::steady_clock::now();
    r.code = curl_easy_perform(curl);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return r;
  }

  void fault(const std::string& path, const std::string& kind, int count = 1, int delay_ms = 0) const {
    std::string body = R"({"path":")" + path + R"(","fault":")" + kind + R"(","count":)" + std::to_string(count);
    if (delay_ms > 0) body += R"(,"delay_ms":)" + std::to_string(delay_ms);
    body += "}";
    const Http r = call("POST", "/_sandbox/faults", {"Content-Type: application/json"}, body);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  json::value state() const { return call("GET", "/_sandbox/state").json(); }

  /// The seeded truth for one account (resource id or IBAN).
  json::value ledger(const std::string& account) const { return call("GET", "/_sandbox/ledger?account=" + account).json(); }

  testing::Process& process() { return *process_; }
  const fs::path& dir() const { return dir_.path(); }

  std::string url;
  std::string cert;
  std::string fingerprint;

 private:
  testing::TempDir dir_;
  std::unique_ptr<testing::Process> process_;
};

/// An XS2A session: a consent authorised through the sandbox's OAuth server with PKCE.
struct Xs2a {
  const Sandbox& sb;
  std::string prefix = "/v1";
  std::string consent;
  std::string access, refresh;
  std::string verifier;

  std::vector<std::string> headers(bool attended = false) const {
    std::vector<std::string> h{"X-Request-ID: " + uuid(), "Consent-ID: " + consent, "Authorization: Bearer " + access,
                               "Accept: application/json"};
    if (attended) h.push_back("PSU-IP-Address: 192.0.2.10");
    return h;
  }

  Http create_consent(const std::string& body) {
    return sb.call("POST", prefix + "/consents",
                   {"X-Request-ID: " + uuid(), "PSU-IP-Address: 192.0.2.10", "Content-Type: application/json",
                    "TPP-Redirect-URI: https://tpp.example/cb"},
                   body);
  }

  /// Authorises and returns the authorization code from the redirect.
  std::string authorize(const std::string& challenge_method = "S256") {
    verifier = "v" + uuid() + uuid();  // 73 characters of [a-f0-9-]
    const Http meta = sb.call("GET", "/.well-known/oauth-authorization-server");
    EXPECT_EQ(meta.status, 200);
    const std::string endpoint = str(meta.json().at("authorization_endpoint"));
    const std::string challenge = challenge_method == "S256" ? sha256_b64url(verifier) : verifier;
    const Http r = sb.call("GET", endpoint + "?response_type=code&client_id=PSDDE-BAFIN-999999&scope=AIS:" + consent +
                                      "&state=st4te&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&code_challenge=" + challenge +
                                      "&code_challenge_method=" + challenge_method);
    EXPECT_EQ(r.status, 302) << r.body;
    const std::string location = r.header("location");
    EXPECT_THAT(location, ::testing::StartsWith("https://tpp.example/cb?"));
    if (challenge_method == "S256") {
      EXPECT_THAT(location, HasSubstr("state=st4te"));
    }
    const auto pos = location.find("code=");
    if (pos == std::string::npos) return location;
    return location.substr(pos + 5, location.find('&', pos) - pos - 5);
  }

  Http token(const std::string& form) const {
    return sb.call("POST", "/oauth/token", {"Content-Type: application/x-www-form-urlencoded"}, form);
  }

  void setup(int frequency = 4) {
    const Http c = create_consent(R"({"access":{"accounts":[],"balances":[],"transactions":[]},"recurringIndicator":true,)"
                                  R"("validUntil":"2027-01-31","frequencyPerDay":)" +
                                  std::to_string(frequency) + R"(,"combinedServiceIndicator":false})");
    ASSERT_EQ(c.status, 201) << c.body;
    consent = str(c.json().at("consentId"));
    const std::string code = authorize();
    const Http t = token("grant_type=authorization_code&client_id=PSDDE-BAFIN-999999&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&code=" +
                         code + "&code_verifier=" + verifier);
    ASSERT_EQ(t.status, 200) << t.body;
    access = str(t.json().at("access_token"));
    refresh = str(t.json().at("refresh_token"));
  }

  /// Follows `_links.next` verbatim; returns every page's body.
  std::vector<json::value> walk(const std::string& first, bool attended = true) const {
    std::vector<json::value> pages;
    std::string next = first;
    for (int guard = 0; guard < 100 && !next.empty(); ++guard) {
      const Http r = sb.call("GET", next, headers(attended));
      EXPECT_EQ(r.status, 200) << next << " " << r.body;
      if (r.status != 200) break;
      pages.push_back(r.json());
      const json::object& links = pages.back().at("transactions").at("_links").as_object();
      next = links.contains("next") ? str(links.at("next").at("href")) : std::string();
    }
    return pages;
  }
};

std::vector<std::string> ids_of(const json::value& ledger, const char* list, const char* key = "id") {
  std::vector<std::string> out;
  for (const json::value& t : ledger.at(list).as_array()) {
    const json::value& v = t.at(key);
    out.push_back(v.is_string() ? std::string(v.as_string()) : std::to_string(v.as_int64()));
  }
  return out;
}

std::string first_account(const Sandbox& sb, std::size_t index = 0) {
  return str(sb.state().at("accounts").at(index).at("resource_id"));
}

// ---------------------------------------------------------------------------------------------

TEST(Sandbox, prints_its_certificate_serves_tls12_only_and_stops_on_sigterm) {
  Sandbox sb;
  ASSERT_FALSE(sb.url.empty());
  EXPECT_THAT(sb.url, ::testing::StartsWith("https://127.0.0.1:"));
  EXPECT_TRUE(fs::exists(sb.cert));
  EXPECT_EQ(sb.fingerprint.size(), 95u) << sb.fingerprint;  // 32 bytes as "AB:CD:..."
  const Http state = sb.call("GET", "/_sandbox/state");
  ASSERT_EQ(state.code, CURLE_OK);
  EXPECT_EQ(str(state.json().at("today")), kToday);
  EXPECT_NE(sb.call("GET", "/_sandbox/state", {}, {}, 5000, /*tls11=*/true).code, CURLE_OK);
  // Pinning: the certificate on disk is the one served (verification against it succeeded above),
  // and its fingerprint is stable across restarts with the same data dir.
  sb.process().signal(SIGTERM);
  EXPECT_EQ(sb.process().wait(10000), 0) << sb.process().stderr_text();
}

TEST(Sandbox, refuses_non_loopback_addresses_and_bad_options) {
  testing::TempDir dir;
  auto r = testing::run_command({BANKREC_SANDBOX, "--listen", "0.0.0.0:0", "--data-dir", (dir.path() / "d").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("non-loopback"));
  r = testing::run_command({BANKREC_SANDBOX, "--today", "2026-13-01"});
  EXPECT_EQ(r.exit_code, 2);
  r = testing::run_command({BANKREC_SANDBOX, "--fault", "/v1/x=explode"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown fault kind"));
}

TEST(Sandbox, xs2a_consent_oauth_accounts_balances_and_paginated_transactions) {
  Sandbox sb;
  Xs2a x{sb};
  const Http c = x.create_consent(R"({"access":{"accounts":[],"balances":[],"transactions":[]},"recurringIndicator":true,)"
                                  R"("validUntil":"9999-12-31","frequencyPerDay":4,"combinedServiceIndicator":false})");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.header("aspsp-sca-approach"), "OAUTH");
  const json::value consent = c.json();
  EXPECT_EQ(str(consent.at("consentStatus")), "received");
  EXPECT_EQ(str(consent.at("_links").at("scaOAuth").at("href")), sb.url + "/.well-known/oauth-authorization-server");
  x.consent = str(consent.at("consentId"));
  EXPECT_EQ(str(sb.call("GET", "/v1/consents/" + x.consent + "/status", {"X-Request-ID: " + uuid()}).json().at("consentStatus")), "received");

  const std::string code = x.authorize();
  const Http t = x.token("grant_type=authorization_code&client_id=PSDDE-BAFIN-999999&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&code=" +
                         code + "&code_verifier=" + x.verifier);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(str(t.json().at("token_type")), "Bearer");
  x.access = str(t.json().at("access_token"));
  EXPECT_EQ(str(sb.call("GET", "/v1/consents/" + x.consent + "/status", {"X-Request-ID: " + uuid()}).json().at("consentStatus")), "valid");
  // The bank adjusted validUntil to its 180-day maximum.
  const json::value details = sb.call("GET", "/v1/consents/" + x.consent, {"X-Request-ID: " + uuid()}).json();
  EXPECT_EQ(str(details.at("validUntil")), "2027-05-18");

  const std::string request_id = uuid();
  std::vector<std::string> h = x.headers(true);
  h[0] = "X-Request-ID: " + request_id;
  const Http accounts = sb.call("GET", "/v1/accounts?withBalance=true", h);
  ASSERT_EQ(accounts.status, 200) << accounts.body;
  EXPECT_EQ(accounts.header("x-request-id"), request_id);
  const json::value accounts_json = accounts.json();
  const json::array& list = accounts_json.at("accounts").as_array();
  ASSERT_EQ(list.size(), 2u);  // Musterbank: checking and savings; the Sparkasse account is another bank
  EXPECT_EQ(str(list[0].at("cashAccountType")), "CACC");
  EXPECT_EQ(str(list[1].at("cashAccountType")), "SVGS");
  const std::string id = str(list[0].at("resourceId"));
  const std::string iban = str(list[0].at("iban"));
  EXPECT_THAT(iban, ::testing::StartsWith("DE"));
  EXPECT_EQ(iban.size(), 22u);

  const json::value truth = sb.ledger(id);
  const std::vector<std::string> booked_truth = ids_of(truth, "booked");
  const std::vector<std::string> pending_truth = ids_of(truth, "pending");
  ASSERT_GT(booked_truth.size(), 100u);  // 90 days of a busy account: several pages
  ASSERT_FALSE(pending_truth.empty());   // 2026-11-20 is a Friday: today's entries are pending

  const std::string first_day = str(sb.state().at("first_day"));
  const auto pages = x.walk("/v1/accounts/" + id + "/transactions?bookingStatus=both&dateFrom=" + first_day);
  ASSERT_GT(pages.size(), 2u);
  std::vector<std::string> booked, pending;
  std::set<std::string> purposes;
  for (const json::value& page : pages) {
    EXPECT_EQ(str(page.at("account").at("iban")), iban);
    for (const json::value& e : page.at("transactions").at("booked").as_array()) {
      booked.push_back(str(e.at("transactionId")));
      purposes.insert(str(e.at("remittanceInformationUnstructured")));
      EXPECT_TRUE(e.as_object().contains("bookingDate"));
      EXPECT_TRUE(e.at("transactionAmount").at("amount").is_string());
    }
    for (const json::value& e : page.at("transactions").at("pending").as_array()) {
      pending.push_back(str(e.at("transactionId")));
      EXPECT_FALSE(e.as_object().contains("bookingDate"));
    }
  }
  EXPECT_EQ(booked, booked_truth);  // every booked entry exactly once, in order
  EXPECT_EQ(pending, pending_truth);
  // The demo's open items are paid in the seeded data (tests/fixtures/demo/open-items.csv).
  bool inv1001 = false, bill7781 = false, rf = false;
  for (const std::string& p : purposes) {
    inv1001 |= p.find("RE-2026-1001") != std::string::npos;
    bill7781 |= p.find("ER-7781") != std::string::npos;
    rf |= p.find("RF65RE20261006") != std::string::npos;
  }
  EXPECT_TRUE(inv1001 && bill7781 && rf);

  // Balances consistent with the transactions.
  const json::value balances = sb.call("GET", "/v1/accounts/" + id + "/balances", x.headers(true)).json();
  std::map<std::string, std::string> by_type;
  for (const json::value& b : balances.at("balances").as_array()) by_type[str(b.at("balanceType"))] = str(b.at("balanceAmount").at("amount"));
  EXPECT_EQ(by_type["closingBooked"], str(truth.at("booked_balance")));
  const double interim = std::stod(by_type["interimAvailable"]), closing = std::stod(by_type["closingBooked"]);
  EXPECT_NEAR(interim - closing, std::stod(str(truth.at("pending_sum"))), 0.001);

  // A single transaction by id.
  const Http one = sb.call("GET", "/v1/accounts/" + id + "/transactions/" + booked_truth.front(), x.headers(true));
  EXPECT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(str(one.json().at("transactionsDetails").at("transactionId")), booked_truth.front());
}

TEST(Sandbox, xs2a_validates_headers_and_echoes_x_request_id) {
  Sandbox sb;
  Xs2a x{sb};
  x.setup();
  std::vector<std::string> h = x.headers();
  h[0] = "X-Request-ID: not-a-uuid";
  Http r = sb.call("GET", "/v1/accounts", h);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "FORMAT_ERROR");
  EXPECT_EQ(r.header("x-request-id"), "not-a-uuid");
  r = sb.call("GET", "/v1/accounts", {"Consent-ID: " + x.consent, "Authorization: Bearer " + x.access});
  EXPECT_EQ(r.status, 400);
  r = sb.call("GET", "/v1/accounts", {"X-Request-ID: " + uuid(), "Authorization: Bearer " + x.access});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("path")), "Consent-ID");
  r = sb.call("GET", "/v1/accounts", {"X-Request-ID: " + uuid(), "Consent-ID: cns-unknown", "Authorization: Bearer " + x.access});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "CONSENT_UNKNOWN");
  r = sb.call("GET", "/v1/accounts", {"X-Request-ID: " + uuid(), "Consent-ID: " + x.consent, "Authorization: Bearer nope"});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "TOKEN_INVALID");
  const std::string id = first_account(sb);
  r = sb.call("GET", "/v1/accounts/" + id + "/transactions?dateFrom=2026-11-01", x.headers(true));
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "PARAMETER_NOT_SUPPORTED");
  r = sb.call("GET", "/v1/accounts/" + id + "/transactions?bookingStatus=booked&dateFrom=2026-11-31", x.headers(true));
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "FORMAT_ERROR");
  r = sb.call("GET", "/v1/accounts/" + id + "/transactions?bookingStatus=booked&dateFrom=2026-11-10&dateTo=2026-11-01", x.headers(true));
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "PERIOD_INVALID");
  r = x.create_consent(R"({"access":{},"recurringIndicator":"yes","validUntil":"2027-01-01","frequencyPerDay":4,"combinedServiceIndicator":false})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("path")), "recurringIndicator");
  r = x.create_consent("{not json");
  EXPECT_EQ(r.status, 400);
}

TEST(Sandbox, xs2a_pkce_verification_failure_and_refresh_token_rotation) {
  Sandbox sb;
  Xs2a x{sb};
  Http c = x.create_consent(R"({"access":{"allPsd2":"allAccounts"},"recurringIndicator":true,"validUntil":"2027-01-31",)"
                            R"("frequencyPerDay":4,"combinedServiceIndicator":false})");
  ASSERT_EQ(c.status, 201);
  x.consent = str(c.json().at("consentId"));
  // "plain" PKCE is refused at the authorization endpoint.
  EXPECT_THAT(x.authorize("plain"), HasSubstr("error=invalid_request"));
  std::string code = x.authorize();
  Http t = x.token("grant_type=authorization_code&client_id=PSDDE-BAFIN-999999&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&code=" + code +
                   "&code_verifier=wrong-verifier-wrong-verifier-wrong-verifier-0123");
  EXPECT_EQ(t.status, 400);
  EXPECT_EQ(str(t.json().at("error")), "invalid_grant");
  EXPECT_THAT(str(t.json().at("error_description")), HasSubstr("PKCE"));
  // The code is single use: the right verifier no longer helps.
  t = x.token("grant_type=authorization_code&client_id=PSDDE-BAFIN-999999&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&code=" + code +
              "&code_verifier=" + x.verifier);
  EXPECT_EQ(t.status, 400);

  // A fresh consent, authorised properly.
  x.setup();
  const std::string old_refresh = x.refresh;
  t = x.token("grant_type=refresh_token&client_id=PSDDE-BAFIN-999999&refresh_token=" + old_refresh);
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string new_refresh = str(t.json().at("refresh_token"));
  EXPECT_NE(new_refresh, old_refresh);
  x.access = str(t.json().at("access_token"));
  EXPECT_EQ(sb.call("GET", "/v1/accounts", x.headers(true)).status, 200);
  // The rotated refresh token is refused ...
  t = x.token("grant_type=refresh_token&client_id=PSDDE-BAFIN-999999&refresh_token=" + old_refresh);
  EXPECT_EQ(t.status, 400);
  EXPECT_EQ(str(t.json().at("error")), "invalid_grant");
  // ... and its reuse revokes the whole family (RFC 9700 4.14.2).
  t = x.token("grant_type=refresh_token&client_id=PSDDE-BAFIN-999999&refresh_token=" + new_refresh);
  EXPECT_EQ(t.status, 400);
  EXPECT_EQ(sb.call("GET", "/v1/accounts", x.headers(true)).status, 401);
}

TEST(Sandbox, xs2a_frequency_per_day_limits_unattended_access) {
  Sandbox sb;
  Xs2a x{sb};
  x.setup(/*frequency=*/2);
  const std::string id = first_account(sb);
  const std::string target = "/v1/accounts/" + id + "/balances";
  EXPECT_EQ(sb.call("GET", target, x.headers()).status, 200);
  EXPECT_EQ(sb.call("GET", target, x.headers()).status, 200);
  const Http r = sb.call("GET", target, x.headers());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "ACCESS_EXCEEDED");
  EXPECT_EQ(r.header("retry-after"), "");  // the spec defines none
  EXPECT_EQ(sb.call("GET", target, x.headers(/*attended=*/true)).status, 200);  // PSU present: not counted
  // Another endpoint has its own budget; the next day resets it.
  EXPECT_EQ(sb.call("GET", "/v1/accounts/" + id + "/transactions?bookingStatus=booked&dateFrom=2026-11-01", x.headers()).status, 200);
  ASSERT_EQ(sb.call("POST", "/_sandbox/advance", {"Content-Type: application/json"}, R"({"days":1})").status, 200);
  // The sandbox clock moved a day: the 15-minute access token expired; a refreshed one works.
  EXPECT_EQ(str(sb.call("GET", target, x.headers()).json().at("tppMessages").at(0).at("code")), "TOKEN_EXPIRED");
  const Http t = x.token("grant_type=refresh_token&client_id=PSDDE-BAFIN-999999&refresh_token=" + x.refresh);
  ASSERT_EQ(t.status, 200) << t.body;
  x.access = str(t.json().at("access_token"));
  EXPECT_EQ(sb.call("GET", target, x.headers()).status, 200);
}

TEST(Sandbox, xs2a_savings_bank_profile_serves_camt052_only) {
  Sandbox sb;
  Xs2a x{sb, "/sparkasse/v1"};
  x.setup();
  const Http accounts = sb.call("GET", "/sparkasse/v1/accounts", x.headers(true));
  ASSERT_EQ(accounts.status, 200) << accounts.body;
  const std::string id = str(accounts.json().at("accounts").at(0).at("resourceId"));
  const std::string target = "/sparkasse/v1/accounts/" + id + "/transactions?bookingStatus=both&dateFrom=2026-10-01";
  Http r = sb.call("GET", target, x.headers(true));
  EXPECT_EQ(r.status, 406);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "REQUESTED_FORMATS_INVALID");
  std::vector<std::string> h = x.headers(true);
  h[3] = "Accept: application/xml";
  r = sb.call("GET", target, h);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.header("content-type"), HasSubstr("application/xml"));
  EXPECT_THAT(r.body, HasSubstr("urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"));
  // Our own camt parser reads it: every seeded entry since dateFrom, booked and pending.
  const fs::path file = sb.dir() / "report.xml";
  testing::write_file(file, r.body);
  const auto parsed = testing::run_command({BANKREC_CLI, "parse", "--format", "camt.052", file.string()});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err << parsed.out.substr(0, 500);
  const json::value truth = sb.ledger(id);
  std::size_t expected = truth.at("pending").as_array().size();
  for (const json::value& e : truth.at("booked").as_array())
    if (str(e.at("booking_date")) >= "2026-10-01") ++expected;
  const json::value out = json::parse(parsed.out);
  EXPECT_EQ(out.at("statements").at(0).at("entries").as_array().size(), expected);
  EXPECT_TRUE(out.at("statements").at(0).at("warnings").as_array().empty()) << parsed.out.substr(0, 2000);
}

TEST(Sandbox, same_seed_and_date_give_identical_bytes) {
  Sandbox a, b;
  Sandbox c({}, "8");
  const std::string id = first_account(a);
  EXPECT_EQ(first_account(b), id);
  EXPECT_NE(first_account(c), id);
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string acc = first_account(a, i);
    EXPECT_EQ(a.call("GET", "/_sandbox/ledger?account=" + acc).body, b.call("GET", "/_sandbox/ledger?account=" + acc).body);
  }
  Xs2a xa{a}, xb{b};
  xa.setup();
  xb.setup();
  const std::string target = "/v1/accounts/" + id + "/transactions?bookingStatus=both&dateFrom=2026-09-01&pageIndex=1";
  const Http pa = a.call("GET", target, xa.headers(true)), pb = b.call("GET", target, xb.headers(true));
  EXPECT_EQ(pa.status, 200);
  EXPECT_EQ(pa.body, pb.body);
}

TEST(Sandbox, fault_switches_are_observable) {
  Sandbox sb({"--fault", "/v1/consents=server_error:1"});
  Xs2a x{sb};
  const Http first = x.create_consent(R"({"access":{"allPsd2":"allAccounts"},"recurringIndicator":true,"validUntil":"2027-01-31",)"
                                      R"("frequencyPerDay":4,"combinedServiceIndicator":false})");
  EXPECT_EQ(first.status, 500);  // the --fault from the command line, once
  x.setup();
  const std::string id = first_account(sb);
  const std::string list = "/v1/accounts";
  const std::string tx = "/v1/accounts/" + id + "/transactions?bookingStatus=both&dateFrom=2026-08-22";

  sb.fault("/v1/accounts", "unavailable");
  Http r = sb.call("GET", list, x.headers(true));
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.header("retry-after").empty());
  EXPECT_EQ(sb.call("GET", list, x.headers(true)).status, 200);

  sb.fault("/v1/accounts", "rate_limit");
  r = sb.call("GET", list, x.headers(true));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "2");

  sb.fault("/v1/accounts", "expired_token");
  r = sb.call("GET", list, x.headers(true));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "TOKEN_EXPIRED");
  EXPECT_EQ(sb.call("GET", list, x.headers(true)).status, 401);  // the token really expired
  const Http t = x.token("grant_type=refresh_token&client_id=PSDDE-BAFIN-999999&refresh_token=" + x.refresh);
  ASSERT_EQ(t.status, 200);
  x.access = str(t.json().at("access_token"));
  x.refresh = str(t.json().at("refresh_token"));
  EXPECT_EQ(sb.call("GET", list, x.headers(true)).status, 200);

  sb.fault("/v1/accounts", "slow", 1, 1200);
  r = sb.call("GET", list, x.headers(true));
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.seconds, 1.1);

  sb.fault("/v1/accounts", "timeout");
  r = sb.call("GET", list, x.headers(true), {}, 800);
  EXPECT_EQ(r.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(sb.call("GET", list, x.headers(true)).status, 200);

  sb.fault("/v1/accounts", "malformed_json");
  r = sb.call("GET", list, x.headers(true));
  EXPECT_EQ(r.status, 200);
  boost::system::error_code ec;
  (void)json::parse(r.body, ec);
  EXPECT_TRUE(ec) << r.body;

  sb.fault("/v1/accounts/*/transactions", "truncated_page");
  r = sb.call("GET", tx, x.headers(true));
  EXPECT_EQ(r.code, CURLE_PARTIAL_FILE);

  // duplicate transactions across pages: one entry shows up twice in a walk.
  sb.fault("/v1/accounts/*/transactions", "duplicate_across_pages");
  std::vector<std::string> seen;
  for (const json::value& page : x.walk(tx))
    for (const json::value& e : page.at("transactions").at("booked").as_array()) seen.push_back(str(e.at("transactionId")));
  const std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), unique.size() + 1);

  // pending → booked on the next fetch, with new ids.
  const json::value before = sb.ledger(id);
  const std::size_t pending_before = before.at("pending").as_array().size();
  ASSERT_GT(pending_before, 0u);
  sb.fault("/v1/accounts/*/transactions", "pending_to_booked");
  std::size_t booked_after = 0, pending_after = 0;
  for (const json::value& page : x.walk(tx)) {
    booked_after += page.at("transactions").at("booked").as_array().size();
    pending_after += page.at("transactions").at("pending").as_array().size();
  }
  EXPECT_EQ(pending_after, 0u);
  EXPECT_EQ(booked_after, before.at("booked").as_array().size() + pending_before);

  sb.fault("/v1/accounts", "consent_expired");
  r = sb.call("GET", list, x.headers(true));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(str(r.json().at("tppMessages").at(0).at("code")), "CONSENT_EXPIRED");
  EXPECT_EQ(str(sb.call("GET", "/v1/consents/" + x.consent + "/status", {"X-Request-ID: " + uuid()}).json().at("consentStatus")), "expired");
  EXPECT_EQ(sb.call("GET", list, x.headers(true)).status, 401);

  // The state endpoint counts requests per path and lists remaining faults.
  sb.fault("/api/*", "server_error", 3);
  const json::value state = sb.state();
  EXPECT_GE(state.at("requests").at("/v1/accounts").to_number<std::int64_t>(), 10);
  ASSERT_EQ(state.at("faults").as_array().size(), 1u);
  EXPECT_EQ(str(state.at("faults").at(0).at("fault")), "server_error");
  EXPECT_EQ(state.at("faults").at(0).at("remaining").as_int64(), 3);
  EXPECT_EQ(sb.call("POST", "/_sandbox/faults", {"Content-Type: application/json"}, R"({"path":"x","fault":"server_error"})").status, 400);
  EXPECT_EQ(sb.call("DELETE", "/_sandbox/faults").status, 200);
  EXPECT_TRUE(sb.state().at("faults").as_array().empty());
}

TEST(Sandbox, advance_moves_the_day_and_yesterdays_pending_entries_book) {
  Sandbox sb;
  const std::string id = first_account(sb);
  const json::value before = sb.ledger(id);
  const Http a = sb.call("POST", "/_sandbox/advance", {"Content-Type: application/json"}, R"({"days":3})");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(str(a.json().at("today")), "2026-11-23");
  const json::value after = sb.ledger(id);
  std::set<std::string> booked_after;
  for (const std::string& s : ids_of(after, "booked")) booked_after.insert(s);
  for (const std::string& s : ids_of(before, "booked")) EXPECT_TRUE(booked_after.contains(s)) << s;  // history is stable
  for (const std::string& p : ids_of(before, "pending")) EXPECT_TRUE(booked_after.contains(p.substr(1))) << p;
}

// ---------------------------------------------------------------------------------------------
// Bridge API v3

struct Bridge {
  const Sandbox& sb;
  std::string token;
  std::vector<std::string> headers(bool with_token = true) const {
    std::vector<std::string> h{"Bridge-Version: 2025-01-15", "Client-Id: sandbox-bridge-client", "Client-Secret: sandbox-bridge-secret",
                               "Content-Type: application/json"};
    if (with_token) h.push_back("Authorization: Bearer " + token);
    return h;
  }
};

TEST(Sandbox, bridge_users_tokens_items_accounts_and_paginated_transactions) {
  Sandbox sb;
  Bridge b{sb};
  Http r = sb.call("GET", "/v3/aggregation/items", {"Client-Id: sandbox-bridge-client", "Client-Secret: sandbox-bridge-secret"});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str(r.json().at("code")), "missing_version_header");
  r = sb.call("POST", "/v3/aggregation/users", {"Bridge-Version: 2025-01-15", "Client-Id: sandbox-bridge-client", "Client-Secret: wrong",
                                                "Content-Type: application/json"},
              R"({"external_user_id":"RETAILER-42"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(str(r.json().at("code")), "invalid_client_credentials");
  r = sb.call("POST", "/v3/aggregation/users", b.headers(false), R"({"external_user_id":"bad id!"})");
  EXPECT_EQ(r.status, 400);
  r = sb.call("POST", "/v3/aggregation/users", b.headers(false), R"({"external_user_id":"RETAILER-42"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string user = str(r.json().at("uuid"));
  EXPECT_EQ(sb.call("POST", "/v3/aggregation/users", b.headers(false), R"({"external_user_id":"RETAILER-42"})").status, 409);
  r = sb.call("POST", "/v3/aggregation/authorization/token", b.headers(false), R"({"external_user_id":"RETAILER-42"})");
  ASSERT_EQ(r.status, 201) << r.body;
  b.token = str(r.json().at("access_token"));
  EXPECT_EQ(str(r.json().at("user").at("uuid")), user);
  EXPECT_THAT(str(r.json().at("expires_at")), ::testing::EndsWith("Z"));
  r = sb.call("POST", "/v3/aggregation/connect-sessions", b.headers(), R"({"user_email":"finance@retailer.example"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_THAT(str(r.json().at("url")), ::testing::StartsWith(sb.url));
  r = sb.call("GET", "/v3/aggregation/items", b.headers());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("resources").as_array().size(), 2u);
  EXPECT_EQ(r.json().at("resources").at(0).at("status").as_int64(), 0);

  r = sb.call("GET", "/v3/aggregation/accounts", b.headers());
  ASSERT_EQ(r.status, 200);
  std::map<std::string, json::value> by_type;
  const json::value account_list = r.json();
  for (const json::value& a : account_list.at("resources").as_array()) by_type[str(a.at("type"))] = a;
  ASSERT_EQ(by_type.size(), 3u);  // checking, savings, card
  EXPECT_THAT(str(by_type["checking"].at("iban")), ::testing::StartsWith("DE"));
  EXPECT_TRUE(by_type["card"].at("iban").is_null());
  EXPECT_FALSE(std::regex_search(r.body, std::regex("[0-9][eE][-+0-9]"))) << "amounts must be plain decimals: " << r.body;

  // All transactions of the checking account through next_uri, exactly once.
  const std::string account = std::to_string(by_type["checking"].at("id").as_int64());
  std::vector<std::string> seen;
  std::string next = "/v3/aggregation/transactions?account_id=" + account + "&limit=40";
  int pages = 0;
  while (!next.empty() && pages < 100) {
    r = sb.call("GET", next, b.headers());
    ASSERT_EQ(r.status, 200) << next << r.body;
    ++pages;
    const json::value page = r.json();
    for (const json::value& t : page.at("resources").as_array()) {
      seen.push_back(std::to_string(t.at("id").as_int64()));
      EXPECT_TRUE(t.at("amount").is_number());
      EXPECT_TRUE(t.as_object().contains("clean_description") && t.as_object().contains("provider_description"));
    }
    const json::value& n = page.at("pagination").at("next_uri");
    next = n.is_null() ? std::string() : str(n);
  }
  EXPECT_GT(pages, 2);
  const json::value truth = sb.ledger(str(by_type["checking"].at("iban")));
  std::multiset<std::string> expected;
  for (const std::string& s : ids_of(truth, "booked", "bridge_id")) expected.insert(s);
  for (const std::string& s : ids_of(truth, "pending", "bridge_id")) expected.insert(s);
  EXPECT_EQ(std::multiset<std::string>(seen.begin(), seen.end()), expected);

  // The card account: deferred debits carry both the operation and the debit date.
  r = sb.call("GET", "/v3/aggregation/transactions?account_id=" + std::to_string(by_type["card"].at("id").as_int64()) + "&limit=500",
              b.headers());
  ASSERT_EQ(r.status, 200);
  bool deferred = false;
  const json::value card_rows = r.json();
  for (const json::value& t : card_rows.at("resources").as_array())
    if (t.as_object().contains("booking_date") && str(t.at("booking_date")) != str(t.at("transaction_date"))) deferred = true;
  EXPECT_TRUE(deferred);
  EXPECT_EQ(sb.call("GET", "/v3/aggregation/transactions?after=garbage", b.headers()).status, 400);
  EXPECT_EQ(sb.call("GET", "/v3/aggregation/items", {"Bridge-Version: 2025-01-15", "Client-Id: sandbox-bridge-client",
                                                     "Client-Secret: sandbox-bridge-secret", "Authorization: Bearer nope"}).status,
            401);
}

// ---------------------------------------------------------------------------------------------
// GoCardless Bank Account Data

TEST(Sandbox, gocardless_tokens_requisition_accounts_rate_limit_and_suspension) {
  Sandbox sb;
  const std::vector<std::string> json_type{"Content-Type: application/json"};
  Http r = sb.call("POST", "/api/v2/token/new/", json_type, R"({"secret_id":"sandbox-gc-secret-id","secret_key":"wrong"})");
  EXPECT_EQ(r.status, 401);
  r = sb.call("POST", "/api/v2/token/new/", json_type, R"({"secret_id":"sandbox-gc-secret-id","secret_key":"sandbox-gc-secret-key"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string refresh = str(r.json().at("refresh"));
  EXPECT_EQ(r.json().at("access_expires").as_int64(), 86400);
  // Refresh without rotation: the same refresh token works twice.
  r = sb.call("POST", "/api/v2/token/refresh/", json_type, R"({"refresh":")" + refresh + R"("})");
  ASSERT_EQ(r.status, 200);
  r = sb.call("POST", "/api/v2/token/refresh/", json_type, R"({"refresh":")" + refresh + R"("})");
  ASSERT_EQ(r.status, 200);
  const std::vector<std::string> h{"Content-Type: application/json", "Authorization: Bearer " + str(r.json().at("access"))};

  r = sb.call("GET", "/api/v2/institutions/?country=de", h);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json().at(0).at("transaction_total_days").is_string());
  r = sb.call("POST", "/api/v2/agreements/enduser/", h, R"({"institution_id":"MUSTERBANK_MUSTDEBB","max_historical_days":731})");
  EXPECT_EQ(r.status, 400);
  r = sb.call("POST", "/api/v2/agreements/enduser/", h,
              R"({"institution_id":"MUSTERBANK_MUSTDEBB","max_historical_days":90,"access_valid_for_days":90,"access_scope":["balances","details","transactions"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string agreement = str(r.json().at("id"));
  r = sb.call("POST", "/api/v2/requisitions/", h,
              R"({"redirect":"https://appliance.example/gc/cb","institution_id":"MUSTERBANK_MUSTDEBB","agreement":")" + agreement +
                  R"(","reference":"retailer-42","user_language":"DE"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(str(r.json().at("status")), "CR");
  const std::string requisition = str(r.json().at("id"));
  r = sb.call("GET", str(r.json().at("link")));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.header("location"), "https://appliance.example/gc/cb?ref=retailer-42");
  r = sb.call("GET", "/api/v2/requisitions/" + requisition + "/", h);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(str(r.json().at("status")), "LN");
  const std::string account = str(r.json().at("accounts").at(0));

  r = sb.call("GET", "/api/v2/accounts/" + account + "/details/", h);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("http_x_ratelimit_account_success_limit"), "4");
  EXPECT_EQ(r.header("http_x_ratelimit_account_success_remaining"), "3");
  r = sb.call("GET", "/api/v2/accounts/" + account + "/transactions/?date_from=2026-08-22&date_to=2026-11-20", h);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value truth = sb.ledger(account);
  std::vector<std::string> booked;
  const json::value gc_rows = r.json();
  for (const json::value& t : gc_rows.at("transactions").at("booked").as_array()) {
    booked.push_back(str(t.at("transactionId")));
    EXPECT_EQ(str(t.at("internalTransactionId")).size(), 32u);
  }
  EXPECT_EQ(booked, ids_of(truth, "booked"));
  EXPECT_EQ(r.json().at("transactions").at("pending").as_array().size(), truth.at("pending").as_array().size());
  EXPECT_EQ(sb.call("GET", "/api/v2/accounts/" + account + "/transactions/?date_from=2026-11-10&date_to=2026-11-01", h).status, 400);
  // 4 successful calls per scope and rolling day (the 400 above does not count), then 429 without Retry-After.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sb.call("GET", "/api/v2/accounts/" + account + "/transactions/", h).status, 200);
  r = sb.call("GET", "/api/v2/accounts/" + account + "/transactions/", h);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(str(r.json().at("type")), "RateLimitError");
  EXPECT_EQ(r.header("retry-after"), "");
  EXPECT_EQ(r.header("http_x_ratelimit_account_success_remaining"), "0");

  // Ten consecutive failures suspend the account.
  sb.fault("/api/v2/accounts/*/balances/", "server_error", 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sb.call("GET", "/api/v2/accounts/" + account + "/balances/", h).status, 500);
  r = sb.call("GET", "/api/v2/accounts/" + account + "/balances/", h);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(str(r.json().at("type")), "AccountSuspendedError");
  EXPECT_EQ(str(sb.call("GET", "/api/v2/accounts/" + account + "/", h).json().at("status")), "SUSPENDED");
}

}  // namespace
}  // namespace bankrec
