// The XS2A connector: mapping of canned Berlin Group JSON, request signing and paging against the
// net module's HTTPS test server, and whole runs against the real bankrec-sandbox process.
#include "xs2a.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "bankrec/testing/testing.h"
#include "builtin.h"
#include "crypto_util.h"
#include "fixed_clock.h"
#include "memory_state.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec::connectors {
namespace {

using net::testing::HttpTestServer;
using net::testing::TestHttpRequest;
using net::testing::TestHttpResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MemoryState;

json::object object_of(std::string_view text) { return parse_json_object(text, "test").value(); }

ConnectorSettings settings_for(std::string base_url, std::map<std::string, std::string> extra = {}) {
  ConnectorSettings s;
  s.name = "musterbank";
  s.type = "xs2a";
  s.base_url = std::move(base_url);
  s.options = {{"client_id", "PSDDE-BAFIN-999999"}, {"redirect_uri", "https://tpp.example/cb"}};
  for (auto& [k, v] : extra) s.options[k] = v;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Mapping

TEST(Xs2aMapping, booked_transaction_with_every_field) {
  // The example of bank-apis.md 1.5 (from the Berlin Group specification).
  const json::object t = object_of(R"({
    "transactionId": "1234567", "entryReference": "2025112000123", "endToEndId": "RE-2025-4711",
    "mandateId": "MNDT-1", "creditorId": "DE98ZZZ09999999999",
    "bookingDate": "2025-11-20", "valueDate": "2025-11-19",
    "transactionAmount": {"currency": "EUR", "amount": "1190.5"},
    "debtorName": "Muster Handel GmbH", "debtorAccount": {"iban": "DE02120300000000202051"}, "debtorAgent": "BYLADEM1001",
    "creditorName": "Us", "remittanceInformationUnstructured": "Rechnung RE-2025-4711",
    "remittanceInformationStructured": {"reference": "RF18539007547034", "referenceType": "SCOR"},
    "bankTransactionCode": "PMNT-RCDT-ESCT", "proprietaryBankTransactionCode": "NTRF+166+9310"})");
  auto e = xs2a::map_transaction(t, domain::EntryStatus::booked, "page 1 booked[0]");
  ASSERT_OK(e);
  EXPECT_EQ(e->amount.minor(), 119050);
  EXPECT_EQ(e->amount.currency().str(), "EUR");
  EXPECT_EQ(e->booking_date->iso(), "2025-11-20");
  EXPECT_EQ(e->value_date->iso(), "2025-11-19");
  EXPECT_EQ(e->bank_reference, "2025112000123");  // entryReference = camt AcctSvcrRef
  EXPECT_EQ(e->end_to_end_id, "RE-2025-4711");
  EXPECT_EQ(e->mandate_id, "MNDT-1");
  EXPECT_EQ(e->creditor_id, "DE98ZZZ09999999999");
  EXPECT_EQ(e->counterparty.name, "Muster Handel GmbH");  // money in: the debtor
  EXPECT_EQ(e->counterparty.iban, "DE02120300000000202051");
  EXPECT_EQ(e->counterparty.bic, "BYLADEM1001");
  EXPECT_EQ(e->remittance, "Rechnung RE-2025-4711");
  EXPECT_EQ(e->structured_reference, "RF18539007547034");
  EXPECT_EQ(e->transaction_code.iso, "PMNT-RCDT-ESCT");
  EXPECT_EQ(e->transaction_code.proprietary, "NTRF+166+9310");
  EXPECT_EQ(e->transaction_code.swift, "NTRF");
  EXPECT_EQ(e->transaction_code.gvc, "166");
  EXPECT_EQ(xs2a::transaction_key(t), "id:1234567");
}

TEST(Xs2aMapping, pending_debit_and_older_bank_quirks) {
  // Pending, no entryReference, remittance only as an array, structured remittance as a string
  // (banks before 1.3.6), the creditor as counterparty of money out.
  const json::object t = object_of(R"({
    "transactionId": "p-9", "valueDate": "2025-11-21",
    "transactionAmount": {"currency": "EUR", "amount": "-100.03"},
    "creditorName": "Claude Renault", "creditorAccount": {"iban": "FR7612345987650123456789014"},
    "remittanceInformationUnstructuredArray": ["Example", "3"],
    "remittanceInformationStructured": "RF712348231"})");
  auto e = xs2a::map_transaction(t, domain::EntryStatus::pending, "x");
  ASSERT_OK(e);
  EXPECT_EQ(e->status, domain::EntryStatus::pending);
  EXPECT_EQ(e->amount.minor(), -10003);
  EXPECT_FALSE(e->booking_date);
  EXPECT_EQ(e->bank_reference, "p-9");
  EXPECT_EQ(e->counterparty.name, "Claude Renault");
  EXPECT_EQ(e->remittance, "Example 3");
  EXPECT_EQ(e->structured_reference, "RF712348231");
  // 1822direkt: the free text in remittanceInformationStructured.
  auto f = xs2a::map_transaction(object_of(R"({"transactionAmount":{"currency":"EUR","amount":"-1"},
                                              "remittanceInformationStructured":"Miete 11/2025"})"),
                                 domain::EntryStatus::booked, "x");
  ASSERT_OK(f);
  EXPECT_EQ(f->remittance, "Miete 11/2025");
  EXPECT_EQ(xs2a::transaction_key(object_of(R"({"transactionId":" "})")), "");
}

TEST(Xs2aMapping, bad_amounts_and_dates_name_the_place) {
  EXPECT_ERR(xs2a::map_transaction(object_of(R"({"transactionAmount":{"currency":"EUR","amount":"1,50"}})"),
                                   domain::EntryStatus::booked, "page 2 booked[4]"),
             Errc::invalid_input, HasSubstr("invalid amount '1,50'"));
  auto r = xs2a::map_transaction(
      object_of(R"({"transactionAmount":{"currency":"EUR","amount":"1"},"bookingDate":"2025-13-01"})"),
      domain::EntryStatus::booked, "page 2 booked[4]");
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("invalid date '2025-13-01'"));
  EXPECT_EQ(r.error().where, "page 2 booked[4].bookingDate");
  EXPECT_ERR(xs2a::map_transaction(object_of("{}"), domain::EntryStatus::booked, "b"), Errc::invalid_input,
             HasSubstr("without transactionAmount"));
}

TEST(Xs2aMapping, balances_become_statement_balances) {
  const json::object page = object_of(R"({"balances":[
    {"balanceAmount":{"currency":"EUR","amount":"500.00"},"balanceType":"closingBooked","referenceDate":"2025-11-19"},
    {"balanceAmount":{"currency":"EUR","amount":"900.00"},"balanceType":"expected","lastChangeDateTime":"2025-11-20T15:30:35.035Z"},
    {"balanceAmount":{"currency":"EUR","amount":"870.00"},"balanceType":"interimAvailable"},
    {"balanceAmount":{"currency":"EUR","amount":"1.00"},"balanceType":"somethingNew"}]})");
  domain::Statement s;
  ASSERT_OK(xs2a::map_balances(*get_array(page, "balances"), s));
  ASSERT_TRUE(s.closing_balance);
  EXPECT_EQ(s.closing_balance->amount.minor(), 50000);
  EXPECT_EQ(s.closing_balance->type, "CLBD");
  EXPECT_EQ(s.closing_balance->date->iso(), "2025-11-19");
  ASSERT_EQ(s.other_balances.size(), 3u);
  EXPECT_EQ(s.other_balances[0].type, "XPCD");
  EXPECT_EQ(s.other_balances[0].date->iso(), "2025-11-20");
  EXPECT_EQ(s.other_balances[1].type, "ITAV");
  EXPECT_EQ(s.other_balances[2].type, "somethingNew");  // unknown types are kept
}

TEST(Xs2aMapping, accounts_and_options) {
  const BankAccount a = xs2a::map_account(object_of(
      R"({"resourceId":"r-1","iban":"DE2310010010123456789","currency":"EUR","name":"Geschäftskonto","cashAccountType":"SVGS"})"));
  EXPECT_EQ(a.provider_id, "r-1");
  EXPECT_EQ(a.kind, "savings");
  EXPECT_EQ(a.name, "Geschäftskonto");

  EXPECT_OK(xs2a::parse_options(settings_for("https://bank.example/v1")));
  EXPECT_ERR(xs2a::parse_options(settings_for("https://bank.example/v1", {{"colour", "x"}})),
             Errc::invalid_input, HasSubstr("unknown xs2a option 'colour'"));
  EXPECT_ERR(xs2a::parse_options(settings_for("https://bank.example/v1", {{"frequency_per_day", "5"}})),
             Errc::invalid_input, HasSubstr("1..4"));
  EXPECT_ERR(xs2a::parse_options(settings_for("https://bank.example/v1", {{"profile", "signing"}})),
             Errc::invalid_input, HasSubstr("requires signing_key_file"));
  EXPECT_ERR(xs2a::parse_options(settings_for("http://bank.example/v1")), Errc::invalid_input,
             HasSubstr("https://"));
  ConnectorSettings no_client = settings_for("https://bank.example/v1");
  no_client.options.erase("client_id");
  EXPECT_ERR(builtin_registry().create(no_client), Errc::invalid_input, HasSubstr("client_id"));
  auto c = builtin_registry().create(settings_for("https://bank.example/v1"));
  ASSERT_OK(c);
  EXPECT_EQ((*c)->type(), "xs2a");
  EXPECT_EQ((*c)->daily_access_limit(), 4);
}

// ---------------------------------------------------------------------------------------------
// Against canned answers on a real HTTPS server

class Xs2aCanned : public ::testing::Test {
 protected:
  Xs2aCanned() : pki_(net::testing::TestPki::create(dir_.path())) {
    net::HttpClientConfig config;
    config.tls.ca_file = pki_.ca_cert;
    http_ = std::move(*net::make_http_client(config, clock_));
    state_.set("consent_id", "cns-1", false);
    state_.set("access_token", "at-1", true);
    state_.set("refresh_token", "rt-1", true);
  }
  net::testing::TlsOptions tls() const { return {pki_.server_cert, pki_.server_key, {}}; }

  bankrec::testing::TempDir dir_;
  net::testing::TestPki pki_;
  net::testing::FixedClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  MemoryState state_;
};

TEST_F(Xs2aCanned, a_next_link_that_loops_stops_the_walk) {
  HttpTestServer server(tls(), [](const TestHttpRequest&) {
    return TestHttpResponse{
        200,
        {{"Content-Type", "application/json"}},
        R"({"transactions":{"booked":[],"_links":{"next":{"href":"/v1/accounts/a1/transactions?pageIndex=1"}}}})"};
  });
  auto c = make_xs2a_connector(settings_for(server.url("/v1")));
  ASSERT_OK(c);
  ConnectorContext ctx("musterbank", *http_, clock_, state_);
  TransactionsRequest req{
      {"DE02", "a1", "EUR", "", ""}, domain::Date{2026, 11, 1}, domain::Date{2026, 11, 20}};
  EXPECT_ERR((*c)->transactions(ctx, req), Errc::unavailable, HasSubstr("repeats an earlier page"));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(Xs2aCanned, signs_every_request_with_digest_signature_and_certificate) {
  // The "signing" profile (Atruvia/Fiducia-like), with the test PKI's client key as QSealC.
  HttpTestServer server(tls(), [](const TestHttpRequest&) {
    return TestHttpResponse{200, {{"Content-Type", "application/json"}}, R"({"accounts":[]})"};
  });
  auto c = make_xs2a_connector(
      settings_for(server.url("/v1"), {{"profile", "signing"},
                                       {"signing_key_file", pki_.client_key.string()},
                                       {"signing_certificate_file", pki_.client_cert.string()}}));
  ASSERT_OK(c);
  ConnectorContext ctx("musterbank", *http_, clock_, state_);
  ASSERT_OK((*c)->accounts(ctx));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const TestHttpRequest& r = requests[0];
  EXPECT_EQ(r.header("Digest"), "SHA-256=" + base64_encode(sha256("")));
  EXPECT_EQ(r.header("TPP-Signature-Certificate"), certificate_base64(pki_.client_cert.string()).value());
  const std::string signature = r.header("Signature");
  EXPECT_THAT(signature, HasSubstr("headers=\"digest x-request-id consent-id\""));
  EXPECT_THAT(signature, HasSubstr("keyId=\"SN="));
  // Verify the signature over the signing string with the certificate's public key.
  const std::string signing = "digest: " + r.header("Digest") +
                              "\nx-request-id: " + r.header("X-Request-ID") +
                              "\nconsent-id: " + r.header("Consent-ID");
  const auto at = signature.find("signature=\"") + 11;
  const std::string b64 = signature.substr(at, signature.find('"', at) - at);
  std::string raw(b64.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                      reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  ASSERT_GT(n, 0);
  raw.resize(static_cast<std::size_t>(n) - (b64.ends_with("==") ? 2 : b64.ends_with("=") ? 1 : 0));
  std::FILE* f = std::fopen(pki_.client_cert.c_str(), "rb");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  EVP_PKEY* key = X509_get_pubkey(cert);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key);
  EXPECT_EQ(EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                             reinterpret_cast<const unsigned char*>(signing.data()), signing.size()),
            1);
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  X509_free(cert);
}

}  // namespace
}  // namespace bankrec::connectors
