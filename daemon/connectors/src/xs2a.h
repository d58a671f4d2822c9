#pragma once

// Berlin Group NextGenPSD2 (XS2A) 1.3.x AIS connector: the parts tests reach directly (options,
// JSON → domain mapping, request signing). The connector itself is make_xs2a_connector() (builtin.h).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/domain/statement.h"
#include "bankrec/net/http_client.h"
#include "http_util.h"

namespace bankrec::connectors::xs2a {

/// Known bank behaviours (bank-apis.md 1.10/1.11).
enum class Profile {
  standard,   ///< spec behaviour: transactions as JSON
  sparkasse,  ///< Finanz Informatik: transactions only as camt.052 (JSON gets 406)
  signing,    ///< Atruvia/Fiducia-like: every request signed (Digest, Signature, TPP-Signature-Certificate)
};
const char* profile_name(Profile profile);

/// Which SCA approach the TPP asks for at consent creation (BG 1.3.12 headers TPP-Redirect-Preferred
/// and TPP-Decoupled-Preferred). The bank decides; the connector follows whatever it answers
/// (scaOAuth, scaRedirect, or a decoupled authorisation).
enum class ScaPreference {
  redirect,   ///< TPP-Redirect-Preferred: true (also the OAuth approach, a redirect variant)
  decoupled,  ///< TPP-Redirect-Preferred: false, TPP-Decoupled-Preferred: true (needs psu_id)
};

/// `settings.options` of an xs2a connector, validated.
struct Options {
  Profile profile = Profile::standard;
  std::string client_id;     ///< the TPP's NCA id from the QWAC, e.g. PSDDE-BAFIN-123456
  std::string redirect_uri;  ///< default TPP-Redirect-URI / OAuth redirect_uri (the console's callback)
  std::string psu_id;        ///< PSU-ID at consent creation where the bank wants it
  std::string psu_ip_address = "127.0.0.1";  ///< sent only on the PSU-triggered consent creation
  int consent_days = 180;                    ///< requested validity (the bank may shorten it)
  int frequency_per_day = 4;                 ///< unattended accesses per day (PSD2 RTS Art. 36(5): at most 4)
  std::string token_url;                 ///< when the bank's scaOAuth link is the authorize URL, not metadata
  std::string signing_key_file;          ///< QSealC private key (PEM) for HTTP message signing
  std::string signing_certificate_file;  ///< QSealC certificate (PEM)
  ScaPreference sca = ScaPreference::redirect;
  std::chrono::milliseconds sca_poll{2000};  ///< first wait between consent status polls (then doubling, capped)
  std::chrono::seconds sca_timeout{300};     ///< give up waiting for the PSU after this (N26: 5 minutes)
  bool sign() const { return !signing_key_file.empty(); }
};

/// Checks the options (unknown keys, ranges, files required by the profile).
Result<Options> parse_options(const ConnectorSettings& settings);

/// One XS2A transaction object as a domain entry (bank-apis.md 1.6).
Result<domain::Entry> map_transaction(const json::object& t, domain::EntryStatus status,
                                      const std::string& where);

/// Identity of a transaction within one walk: transactionId, else entryReference; "" when neither.
std::string transaction_key(const json::object& t);

/// XS2A balances (closingBooked, openingBooked, interimAvailable, ...) onto the statement.
Result<void> map_balances(const json::array& balances, domain::Statement& statement);

/// An /accounts entry.
BankAccount map_account(const json::object& account);

/// Adds Digest (SHA-256 of the body), X-Request-ID (if absent), TPP-Signature-Certificate and a
/// draft-cavage Signature over "digest x-request-id" (+ psu-id, consent-id, tpp-redirect-uri when
/// present), as the Berlin Group Implementation Guidelines 1.3 section 12 describe.
Result<void> sign_request(const Options& options, net::HttpRequest& request);

// ---------------------------------------------------------------------------------------------
// SCA approaches (xs2a_sca.cpp): what a consent or authorisation answer asks of us, and polling.

/// The SCA-relevant part of a POST /consents (or POST .../authorisations) answer, links absolute.
struct ScaLinks {
  std::string approach;             ///< ASPSP-SCA-Approach as sent (upper case), may be empty
  std::string sca_oauth;            ///< _links.scaOAuth: OAuth2 approach
  std::string sca_redirect;         ///< _links.scaRedirect: redirect approach (the PSU's browser goes there)
  std::string sca_status;           ///< _links.scaStatus: the authorisation sub-resource
  std::string start_authorisation;  ///< startAuthorisation[WithPsuIdentification]: explicit start needed
  std::string authorisation_id;
  std::string psu_message;          ///< text for the PSU ("confirm in your banking app")
};
ScaLinks read_sca_links(const json::object& body, std::string_view approach_header, std::string_view base);

/// Which flow follows from the bank's answer: "oauth", "redirect", "decoupled", or "" when none we
/// support (embedded SCA, or a start link still to be called).
std::string sca_flow(const ScaLinks& links);

/// One poll's reading of a consent status (BG consentStatus).
enum class ScaVerdict { waiting, valid, rejected };
ScaVerdict consent_verdict(std::string_view consent_status);

/// Waits between polls: `first`, then doubling up to max(first, 10 s).
std::chrono::milliseconds next_poll_delay(std::chrono::milliseconds previous, std::chrono::milliseconds first);

/// What one poll saw.
struct PollReading {
  ScaVerdict verdict = ScaVerdict::waiting;
  std::string status;  ///< the bank's word ("received", "valid", ...), for messages
};
/// Polls `probe` (sleeping through ctx.sleep) until it is no longer waiting or `timeout` has passed on
/// ctx.clock().steady_now(). Transient probe failures (Errc::unavailable) count as waiting; others end
/// the wait. Returns the last reading; its verdict stays `waiting` on timeout.
Result<PollReading> poll_until_decided(ConnectorContext& ctx, const std::function<Result<PollReading>()>& probe,
                                       std::chrono::milliseconds first, std::chrono::seconds timeout);

/// The format id of a downloaded report: "camt.053" (BkToCstmrStmt), "camt.052" (BkToCstmrAcctRpt),
/// "camt.054" (BkToCstmrDbtCdtNtfctn), or "" (let the registry sniff).
std::string camt_format_of(std::string_view document);

}  // namespace bankrec::connectors::xs2a
