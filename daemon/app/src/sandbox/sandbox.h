#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/base/url.h"
#include "bankrec/http/server.h"
#include "sandbox/ledger.h"
#include "sandbox/tls_server.h"

/// `bankrec-sandbox`: a fake bank that speaks Berlin Group NextGenPSD2 (XS2A) 1.3.x, Bridge API v3
/// and GoCardless Bank Account Data over one seeded ledger, with switchable faults.
namespace bankrec::app::sandbox {

using SysTime = std::chrono::system_clock::time_point;
using Query = std::vector<std::pair<std::string, std::string>>;

struct Options {
  std::uint64_t seed = 1;
  Date today;            ///< the sandbox's first "today"
  int days = 90;         ///< history depth before today
  std::size_t page_size = 50;
  /// XS2A SCA approach the bank answers POST /consents with: "oauth" (default), "redirect",
  /// "decoupled", or "preferred" (follows TPP-Redirect-Preferred / TPP-Decoupled-Preferred).
  std::string xs2a_sca = "oauth";
  bool xs2a_download = false;     ///< XS2A JSON transactions answered with _links.download (a camt file)
  std::string bridge_redirect_url;  ///< Bridge v2 app redirect URL ("dashboard setting"); empty: none
};

/// The XS2A SCA approaches the sandbox can play.
bool is_xs2a_sca_mode(std::string_view mode);

/// Credentials the sandbox accepts (printed on start so the demo can configure its connectors).
inline constexpr std::string_view kBridgeClientId = "sandbox-bridge-client";
inline constexpr std::string_view kBridgeClientSecret = "sandbox-bridge-secret";
inline constexpr std::string_view kBridgeVersion = "2025-01-15";
inline constexpr std::string_view kGcSecretId = "sandbox-gc-secret-id";
inline constexpr std::string_view kGcSecretKey = "sandbox-gc-secret-key";

enum class FaultKind {
  expired_token,           ///< 401 with the API's expired-token error; the presented token is expired for real
  rate_limit,              ///< 429 (Retry-After on XS2A and Bridge; GoCardless' HTTP_X_RATELIMIT_* headers)
  server_error,            ///< 500
  unavailable,             ///< 503 with Retry-After
  slow,                    ///< the normal answer after delay_ms
  timeout,                 ///< never answer
  malformed_json,          ///< 200 with a body cut in half (well-framed, invalid JSON)
  truncated_page,          ///< Content-Length of the whole body, half of it sent, connection cut
  consent_expired,         ///< the consent / requisition / item expires now
  pending_to_booked,       ///< today's pending entries are booked (with new ids) from this fetch on
  duplicate_across_pages,  ///< the next page repeats the last entry of the previous page
};

std::optional<FaultKind> fault_kind_from(std::string_view name);
std::string_view fault_kind_name(FaultKind kind);

struct Fault {
  std::uint64_t id = 0;
  std::string pattern;  ///< glob over the request path; '*' matches any run of characters
  FaultKind kind = FaultKind::server_error;
  int remaining = 1;    ///< 0 = until cleared
  int delay_ms = 2000;
  int retry_after = 2;
};

struct Consent {
  std::string id;
  std::string profile;  ///< "musterbank" (JSON + XML) or "sparkasse" (XML only)
  std::vector<std::size_t> accounts, balances, transactions;  ///< ledger account indexes
  bool all_accounts = false;     ///< bank-offered or allPsd2: every account of the bank after SCA
  bool list_only = false;        ///< availableAccounts: account list only
  bool recurring = true;
  Date valid_until;
  int frequency = 4;
  std::string status = "received";
  Date last_action;
  std::string access_json;       ///< the `access` object as granted
  std::string redirect_uri;      ///< TPP-Redirect-URI, must equal the OAuth redirect_uri when given
  SysTime authorised_at{};
  std::string sca_approach = "OAUTH";  ///< OAUTH, REDIRECT or DECOUPLED (ASPSP-SCA-Approach)
  std::string nok_redirect_uri;        ///< TPP-Nok-Redirect-URI
  std::string psu_id;
  std::string authorisation_id;        ///< empty until the authorisation sub-resource exists
  std::string sca_status = "received";
  int polls_left = 0;                  ///< decoupled: status polls until the PSU "approves" in the app
};

/// A transaction report offered as a download link (XS2A _links.download).
struct Download {
  std::string consent;
  std::size_t account = 0;
  std::string xml;
};

struct OAuthCode {
  std::string consent, client_id, redirect_uri, challenge;
  SysTime expires;
};

struct Token {
  std::string subject;  ///< consent id, Bridge user uuid or "gocardless"
  std::string client_id;
  std::string family;
  SysTime expires;
  bool used = false;    ///< refresh tokens: rotated away
  bool revoked = false;
};

struct BridgeItem {
  std::int64_t id = 0;
  std::string bank;  ///< ledger bank of its accounts
  int status = 0;
  SysTime created{};
};

struct BridgeUser {
  std::string uuid, external_id;
  std::string email, password_hash;  ///< Bridge v2 users (e-mail + password); hash = SHA-256
  SysTime created{};
  std::vector<BridgeItem> items;
};

struct GcAgreement {
  std::string id, institution_id;
  int max_historical_days = 90, access_valid_for_days = 90;
  std::vector<std::string> scope;
  std::string created;
  std::optional<Date> accepted;
};

struct GcRequisition {
  std::string id, redirect, institution_id, agreement, reference, user_language, status = "CR", created;
  std::vector<std::size_t> accounts;
};

struct GcAccountState {
  std::map<std::string, std::deque<SysTime>> successes;  ///< per scope, rolling 24 h
  int consecutive_failures = 0;
  bool suspended = false;
};

class Sandbox {
 public:
  explicit Sandbox(const Options& options);

  /// The https://ADDR:PORT root the sandbox's absolute links point at; set once the port is known.
  void set_base_url(std::string url) { base_url_ = std::move(url); }
  /// A fault from the command line: "PATTERN=KIND[:COUNT]".
  Result<void> add_fault_spec(std::string_view spec);
  /// Thread-safe; one request at a time.
  Reply handle(const http::Request& request);

  const Ledger& ledger() const { return ledger_; }

 private:
  // Shared machinery (sandbox.cpp).
  Reply dispatch(const http::Request& request, const Query& query);
  const Fault* take_fault(std::string_view path, std::initializer_list<FaultKind> kinds);
  SysTime now() const;
  std::string new_token(std::string_view prefix);
  std::string next_id(std::string_view prefix);
  Reply control(const http::Request& request, const Query& query);
  Reply fault_reply(std::string_view api, const Fault& fault, const http::Request& request);
  Date pending_day() const { return today_; }
  bool today_booked() const { return today_booked_; }
  /// Entries as a connector sees them now: booked up to yesterday (today too after pending_to_booked)
  /// and today's entries as pending.
  std::vector<Txn> booked_view(std::size_t account, Date from, Date to) const;
  std::vector<Txn> pending_view(std::size_t account) const;
  std::int64_t booked_balance_now(std::size_t account) const;
  std::int64_t pending_sum(std::size_t account) const;

  // Berlin Group XS2A (xs2a.cpp).
  Reply xs2a(const http::Request& request, const Query& query, std::string_view profile, std::string_view rest);
  Reply xs2a_create_consent(const http::Request& request, std::string_view profile);
  Reply xs2a_accounts(const http::Request& request, const Query& query, std::string_view profile, std::string_view rest);
  Reply oauth(const http::Request& request, const Query& query);
  // XS2A redirect and decoupled SCA, downloads (xs2a_sca.cpp).
  std::string choose_sca_approach(const http::Request& request) const;
  Reply xs2a_consent_links(Consent& c, const http::Request& request, std::string_view prefix);
  Reply xs2a_authorisations(Consent& c, const http::Request& request, std::string_view prefix, std::string_view sub);
  Reply xs2a_sca_page(const http::Request& request, const Query& query);
  void tick_decoupled(Consent& c);
  void approve_consent(Consent& c);
  Reply xs2a_download_link(const Consent& c, std::size_t account, std::string_view prefix, std::string xml);
  Reply xs2a_download(const Consent& c, std::size_t account, std::string_view token);
  Reply xs2a_settings(const http::Request& request);

  // Bridge v3 (bridge.cpp).
  Reply bridge(const http::Request& request, const Query& query);
  // Bridge v2, the legacy e-mail/password user model (bridge_v2.cpp).
  Reply bridge_v2(const http::Request& request, const Query& query);
  Reply bridge_connect_page(const http::Request& request);
  Reply bridge_settings(const http::Request& request);
  // GoCardless Bank Account Data (gocardless.cpp).
  Reply gocardless(const http::Request& request, const Query& query);
  Reply gocardless_link(const http::Request& request);
  Reply gocardless_account(const http::Request& request, const Query& query, const std::string& id, std::string_view scope);

  std::mutex mutex_;
  Options options_;
  Ledger ledger_;
  Date today_;
  bool today_booked_ = false;
  std::string base_url_;
  std::uint64_t counter_ = 0;

  std::map<std::string, std::uint64_t> requests_;  ///< per path
  std::vector<Fault> faults_;
  std::uint64_t fault_ids_ = 0;

  std::map<std::string, Consent> consents_;
  std::map<std::string, std::map<std::string, int>> access_counts_;  ///< day → key → count
  std::map<std::string, OAuthCode> codes_;
  std::map<std::string, Token> access_tokens_;
  std::map<std::string, Token> refresh_tokens_;

  std::string xs2a_sca_;
  bool xs2a_download_ = false;
  int decoupled_polls_ = 2;
  std::string decoupled_outcome_ = "approve";  ///< approve, reject, never
  std::map<std::string, Download> downloads_;

  std::vector<BridgeUser> bridge_users_;
  std::string bridge_redirect_url_;
  std::map<std::string, std::pair<std::string, std::string>> bridge_v2_sessions_;  ///< id → (user uuid, context)
  std::map<std::string, Token> bridge_tokens_;
  std::int64_t bridge_item_ids_ = 10154848;

  std::map<std::string, Token> gc_access_;
  std::map<std::string, Token> gc_refresh_;
  std::map<std::string, GcAgreement> gc_agreements_;
  std::map<std::string, GcRequisition> gc_requisitions_;
  std::map<std::size_t, GcAccountState> gc_accounts_;
};

// Helpers shared by the API front ends (sandbox.cpp).
/// Splits "a=1&b=x%20y" (also application/x-www-form-urlencoded bodies); nullopt on bad escapes.
std::optional<Query> parse_query(std::string_view text);
std::string_view query_get(const Query& query, std::string_view key);
bool query_has(const Query& query, std::string_view key);
inline std::string url_encode(std::string_view text) { return url::encode(text); }  ///< RFC 3986
bool glob_match(std::string_view pattern, std::string_view text);
bool is_uuid(std::string_view text);
std::string base64url(std::string_view bytes);
std::string sha256(std::string_view bytes);
/// Random bytes from OpenSSL, base64url.
std::string random_token(std::size_t bytes);
std::string iso_time(SysTime t);  ///< "2026-11-20T06:00:00.000Z"
Date date_of(SysTime t);
std::optional<Date> parse_date_strict(std::string_view text);  ///< exactly YYYY-MM-DD
Reply json_reply(int status, std::string body);
/// camt.052.001.08 account report (camt.cpp).
std::string camt052(const Account& account, std::string_view report_id, Date from, Date to, const std::vector<Txn>& booked,
                    const std::vector<Txn>& pending, std::int64_t opening, std::int64_t closing, Date today);

}  // namespace bankrec::app::sandbox
