#pragma once

// Berlin Group NextGenPSD2 (XS2A) 1.3.x AIS connector: the parts tests reach directly (options,
// JSON → domain mapping, request signing). The connector itself is make_xs2a_connector() (builtin.h).

#include <string>
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

}  // namespace bankrec::connectors::xs2a
