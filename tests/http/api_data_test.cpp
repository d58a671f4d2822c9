// The console's data API through the Router with a real encrypted store, real sign-in and the real
// ingestion (no sockets), and through the real HTTPS server for streamed uploads, 413 and headers.
#include "bankrec/http/api_data.h"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>

#include "bankrec/formats/format_registry.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/server.h"
#include "bankrec/store/alerts_repo.h"
#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/jobs_repo.h"
#include "store_test_util.h"

namespace bankrec::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using store::testing_util::TestStore;
namespace json = boost::json;

constexpr const char* kPassword = "Kaffeetasse+Regenschirm";
constexpr const char* kIban = "DE89370400440532013000";

std::string amount_text(std::int64_t minor) {
  const std::int64_t a = minor < 0 ? -minor : minor;
  return std::to_string(a / 100) + "." + (a % 100 < 10 ? "0" : "") + std::to_string(a % 100);
}

/// A camt.053 statement `file` with `n` lines on 20 different days, credits and debits, with opening
/// and closing balances that add up.
std::string camt(int file, int n, const std::string& iban = kIban) {
  std::string body;
  std::int64_t sum = 0;
  for (int i = 1; i <= n; ++i) {
    const std::int64_t amount = (i % 3 == 0 ? -1 : 1) * (1000 + (i * 7919) % 25000);
    sum += amount;
    const std::string ref = std::to_string(file) + "-" + std::to_string(i);
    const std::string day = "2026-11-" + std::string(i % 20 + 1 < 10 ? "0" : "") + std::to_string(i % 20 + 1);
    body += "<Ntry><Amt Ccy=\"EUR\">" + amount_text(amount) + "</Amt><CdtDbtInd>" + (amount < 0 ? "DBIT" : "CRDT") +
            "</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>" + day + "</Dt></BookgDt><ValDt><Dt>" + day +
            "</Dt></ValDt><AcctSvcrRef>REF-" + ref + "</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Kunde " +
            ref + "</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Rechnung INV-" + ref +
            "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n";
  }
  const auto balance = [](const char* code, std::int64_t minor, const char* day) {
    return std::string("<Bal><Tp><CdOrPrtry><Cd>") + code + "</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" +
           amount_text(minor) + "</Amt><CdtDbtInd>" + (minor < 0 ? "DBIT" : "CRDT") + "</CdtDbtInd><Dt><Dt>" + day +
           "</Dt></Dt></Bal>";
  };
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>MSG-" + std::to_string(file) + "</MsgId><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm></GrpHdr>"
         "<Stmt><Id>STMT-" + std::to_string(file) + "</Id><ElctrncSeqNb>" + std::to_string(file) +
         "</ElctrncSeqNb><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm>"
         "<Acct><Id><IBAN>" + iban + "</IBAN></Id><Ccy>EUR</Ccy></Acct>\n" +
         balance("OPBD", 100000, "2026-11-01") + balance("CLBD", 100000 + sum, "2026-11-20") + "\n" + body +
         "</Stmt></BkToCstmrStmt></Document>\n";
}

/// A camt.053 statement with one line and the given balances (to test balance continuity).
std::string camt_balances(int file, std::int64_t open, const std::string& open_date, std::int64_t line,
                          const std::string& close_date) {
  const auto balance = [](const char* code, std::int64_t minor, const std::string& day) {
    return std::string("<Bal><Tp><CdOrPrtry><Cd>") + code + "</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" +
           amount_text(minor) + "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>" + day + "</Dt></Dt></Bal>";
  };
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>B-" + std::to_string(file) + "</MsgId><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm></GrpHdr>"
         "<Stmt><Id>B-" + std::to_string(file) + "</Id><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm>"
         "<Acct><Id><IBAN>" + std::string(kIban) + "</IBAN></Id><Ccy>EUR</Ccy></Acct>" +
         balance("OPBD", open, open_date) + balance("CLBD", open + line, close_date) +
         "<Ntry><Amt Ccy=\"EUR\">" + amount_text(line) + "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
         "<BookgDt><Dt>" + open_date + "</Dt></BookgDt><AcctSvcrRef>BAL-" + std::to_string(file) +
         "</AcctSvcrRef></Ntry></Stmt></BkToCstmrStmt></Document>\n";
}

struct Session {
  std::string cookie, csrf;
};

class DataApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthOptions options;
    options.hash_cost = auth::HashCost::minimum();
    auth_ = std::make_shared<AuthService>(*t_.store, secrets_, t_.clock, options);
    install_auth_routes(router_, auth_);
    formats::register_builtin_formats(formats_);
    api_ = std::make_shared<DataApi>(DataApi{*t_.store, mutex_, t_.clock, formats_, {}, {}, {}, {}});
    api_->after_import = [this](std::string_view actor) { reconcile_requests_.push_back(std::string(actor)); };
    api_->upload.max_bytes = 1024 * 1024;
    api_->upload.dir = t_.dir.path() / "tmp";
    install_data_routes(router_, api_);
  }

  Session user(const std::string& name, Role role) {
    EXPECT_OK(auth_->create_user(name, role, kPassword, "test"));
    const Response r = call("POST", "/api/v1/auth/login", json::serialize(json::object{{"name", name}, {"password", kPassword}}));
    EXPECT_EQ(r.status, 200) << r.body;
    Session s;
    for (const auto& [k, v] : r.headers)
      if (k == "Set-Cookie") s.cookie = v.substr(0, v.find(';'));
    s.csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return s;
  }

  Response call(const std::string& method, const std::string& target, const std::string& body = {},
                const Session* session = nullptr, bool csrf = true, Headers extra = {}) {
    Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = body;
    r.remote_address = "10.0.0.1";
    if (!body.empty() && extra.empty()) r.headers.emplace_back("Content-Type", "application/json");
    for (auto& h : extra) r.headers.push_back(std::move(h));
    if (session) {
      r.headers.emplace_back("Cookie", session->cookie);
      if (csrf) r.headers.emplace_back("X-CSRF-Token", session->csrf);
    }
    Response response = router_.dispatch(std::move(r));
    if (response.source) response.body = drain(*response.source);
    return response;
  }

  /// A body sent in pieces (downloads), read here as the server would, in pieces of 1000 bytes.
  static std::string drain(const BodySource& source) {
    std::string out;
    std::vector<char> piece(1000);
    while (out.size() < source.size) {
      const auto n = source.read(out.size(), piece);
      if (!n || *n == 0) {
        ADD_FAILURE() << "body source ended at byte " << out.size() << " of " << source.size;
        break;
      }
      out.append(piece.data(), *n);
    }
    return out;
  }

  json::value get(const Session& s, const std::string& target, int status = 200) {
    const Response r = call("GET", target, {}, &s);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return ec ? json::value() : v;
  }

  json::value upload(const Session& s, const std::string& name, const std::string& bytes, const std::string& query = {}) {
    const Response r = call("POST", "/api/v1/uploads" + query, bytes, &s, true,
                            {{"Content-Type", "application/octet-stream"}, {"X-File-Name", name}});
    EXPECT_EQ(r.status, 200) << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return ec ? json::value() : v;
  }

  std::vector<std::string> audit_actions(const std::string& actor) {
    std::vector<std::string> out;
    EXPECT_OK(t_.store->audit().for_each("", "", [&](const store::AuditEntry& e) -> Result<void> {
      if (e.actor == actor) out.push_back(e.action);
      return ok();
    }));
    return out;
  }

  /// Every item of a list, following `next` with pages of `limit`; the number of pages in `pages`.
  std::vector<json::value> all_pages(const Session& s, const std::string& path, int limit, int* pages = nullptr) {
    std::vector<json::value> items;
    std::string after;
    int n = 0;
    for (; n < 1000; ++n) {
      const std::string sep = path.find('?') == std::string::npos ? "?" : "&";
      const json::value page = get(s, path + sep + "limit=" + std::to_string(limit) + (after.empty() ? "" : "&after=" + after));
      if (!page.is_object()) break;
      for (const auto& item : page.at("items").as_array()) items.push_back(item);
      EXPECT_LE(page.at("items").as_array().size(), static_cast<std::size_t>(limit));
      if (page.at("next").is_null()) break;
      after = std::string(page.at("next").as_string());
    }
    if (pages) *pages = n + 1;
    return items;
  }

  TestStore t_;
  store::SecretKey secrets_ = store::SecretKey::generate();
  std::mutex mutex_;
  formats::FormatRegistry formats_;
  std::shared_ptr<AuthService> auth_;
  std::shared_ptr<DataApi> api_;
  Router router_;
  std::vector<std::string> reconcile_requests_;
};

TEST_F(DataApiTest, every_data_route_declares_its_access_and_reads_need_no_more_than_read) {
  int data_routes = 0;
  for (const auto& r : router_.routes()) {
    if (r.pattern.starts_with("/api/v1/auth") || r.pattern.starts_with("/api/v1/users")) continue;
    ++data_routes;
    EXPECT_EQ(r.access.kind, Access::Kind::signed_in) << r.method << " " << r.pattern;
    ASSERT_TRUE(r.access.permission.has_value()) << r.pattern;
    // POST /audit/verify changes nothing (it walks the whole chain now): a read like its GET.
    const bool reads = r.method == "GET" || r.pattern == "/api/v1/audit/verify";
    EXPECT_EQ(*r.access.permission, reads ? Permission::read : Permission::upload) << r.method << " " << r.pattern;
  }
  EXPECT_EQ(data_routes, 18);
  EXPECT_EQ(call("GET", "/api/v1/statements").status, 401);
  EXPECT_EQ(call("POST", "/api/v1/uploads", "x").status, 401);
}

TEST_F(DataApiTest, a_viewer_reads_but_cannot_upload_and_an_upload_needs_the_csrf_token) {
  const Session viewer = user("vera", Role::viewer);
  const Session accountant = user("anna", Role::accountant);
  EXPECT_TRUE(get(viewer, "/api/v1/statements").at("items").as_array().empty());
  const Response denied = call("POST", "/api/v1/uploads", camt(1, 3), &viewer, true, {{"X-File-Name", "a.xml"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("\"forbidden\""));
  const Response no_csrf = call("POST", "/api/v1/uploads", camt(1, 3), &accountant, false, {{"X-File-Name", "a.xml"}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("\"csrf\""));
  // Nothing was imported by the refused requests.
  EXPECT_TRUE(get(viewer, "/api/v1/statements").at("items").as_array().empty());
  EXPECT_EQ(call("POST", "/api/v1/jobs/1/retry", {}, &viewer).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/alerts/1/acknowledge", {}, &viewer).status, 403);
}

TEST_F(DataApiTest, an_uploaded_camt_file_shows_in_statements_entries_and_the_audit_log) {
  const Session anna = user("anna", Role::accountant);
  const std::string bytes = camt(7, 12);
  const json::value up = upload(anna, "november.xml", bytes);
  EXPECT_EQ(up.at("status"), "imported");
  EXPECT_EQ(up.at("file"), "november.xml");
  EXPECT_EQ(up.at("statements").as_int64(), 1);
  EXPECT_EQ(up.at("entries").as_int64(), 12);
  EXPECT_TRUE(up.at("error").is_null());
  EXPECT_EQ(reconcile_requests_, std::vector<std::string>{"anna"});
  const std::int64_t file_id = up.at("file_id").as_int64();

  const json::value list = get(anna, "/api/v1/statements?source=upload&account=" + std::string(kIban));
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  const json::value& s = list.at("items").at(0);
  EXPECT_EQ(s.at("file_id").as_int64(), file_id);
  EXPECT_EQ(s.at("file_name"), "november.xml");
  EXPECT_EQ(s.at("source"), "upload");
  EXPECT_EQ(s.at("account_iban"), kIban);
  EXPECT_EQ(s.at("currency"), "EUR");
  EXPECT_EQ(s.at("opening_balance"), "1000.00");
  EXPECT_EQ(s.at("entries").as_int64(), 12);
  EXPECT_EQ(s.at("status"), "processed");
  EXPECT_TRUE(get(anna, "/api/v1/statements?source=inbox").at("items").as_array().empty());
  EXPECT_TRUE(get(anna, "/api/v1/statements?status=reconciled").at("items").as_array().empty());
  EXPECT_EQ(get(anna, "/api/v1/statements?status=processed").at("items").as_array().size(), 1u);

  const std::int64_t statement_id = s.at("id").as_int64();
  const json::value detail = get(anna, "/api/v1/statements/" + std::to_string(statement_id));
  EXPECT_EQ(detail.at("entries").as_array().size(), 12u);
  EXPECT_EQ(detail.at("entry_count").as_int64(), 12);

  const json::value entries = get(anna, "/api/v1/entries?q=INV-7-5");
  ASSERT_EQ(entries.at("items").as_array().size(), 1u);
  const json::value& e = entries.at("items").at(0);
  EXPECT_EQ(e.at("purpose"), "Rechnung INV-7-5");
  EXPECT_EQ(e.at("bank_reference"), "REF-7-5");
  EXPECT_EQ(e.at("account_iban"), kIban);
  EXPECT_EQ(e.at("statement_id").as_int64(), statement_id);
  EXPECT_EQ(e.at("booking_date"), "2026-11-06");
  EXPECT_EQ(json::value_to<std::string>(e.at("amount")), amount_text(1000 + (5 * 7919) % 25000));
  EXPECT_EQ(e.at("currency"), "EUR");
  EXPECT_EQ(e.at("status"), "processed");
  EXPECT_EQ(e.at("pending"), false);

  const json::value one = get(anna, "/api/v1/entries/" + std::to_string(e.at("id").as_int64()));
  EXPECT_EQ(one.at("fields").at("remittance"), "Rechnung INV-7-5");
  EXPECT_TRUE(one.at("matches").as_array().empty());
  ASSERT_FALSE(one.at("audit").as_array().empty());
  EXPECT_EQ(one.at("audit").at(0).at("actor"), "anna");  // the upload and the import of its file

  // The original bytes come back as an attachment.
  const Response original = call("GET", "/api/v1/files/" + std::to_string(file_id) + "/original", {}, &anna);
  EXPECT_EQ(original.status, 200);
  EXPECT_EQ(original.body, bytes);
  bool disposition = false;
  for (const auto& [k, v] : original.headers)
    disposition = disposition || (k == "Content-Disposition" && v == "attachment; filename=\"november.xml\"");
  EXPECT_TRUE(disposition);

  const auto actions = audit_actions("anna");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "import.file"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "upload.file"), actions.end());
  const json::value audit = get(anna, "/api/v1/audit?actor=anna&action=upload.file");
  ASSERT_EQ(audit.at("items").as_array().size(), 1u);
  EXPECT_EQ(json::value_to<std::string>(audit.at("items").at(0).at("object")), "source_file:" + std::to_string(file_id));
  EXPECT_EQ(audit.at("items").at(0).at("detail").at("status"), "imported");
  const json::value verify = get(anna, "/api/v1/audit/verify");
  EXPECT_EQ(verify.at("ok"), true) << verify;
  EXPECT_GT(verify.at("entries").as_int64(), 2);
  EXPECT_TRUE(verify.at("first_bad_seq").is_null());
  const Response exported = call("GET", "/api/v1/audit/export?from=2026-11-22&to=2026-11-22", {}, &anna);
  EXPECT_EQ(exported.status, 200);
  EXPECT_THAT(exported.body, HasSubstr("\"upload.file\""));

  const json::value dashboard = get(anna, "/api/v1/dashboard");
  ASSERT_EQ(dashboard.at("accounts").as_array().size(), 1u);
  EXPECT_EQ(dashboard.at("accounts").at(0).at("iban"), kIban);
  EXPECT_FALSE(dashboard.at("accounts").at(0).at("balance").is_null());
  EXPECT_EQ(dashboard.at("intake_today").at(0).at("source"), "upload");
  EXPECT_EQ(dashboard.at("intake_today").at(0).at("entries").as_int64(), 12);
  EXPECT_FALSE(dashboard.at("balance_history").as_array().empty());
}

TEST_F(DataApiTest, the_audit_chain_is_walked_whole_once_then_from_where_it_was_verified) {
  const Session anna = user("anna", Role::accountant);
  upload(anna, "november.xml", camt(7, 12));
  const json::value verify = get(anna, "/api/v1/audit/verify");
  EXPECT_EQ(verify.at("ok"), true) << verify;
  // The first check walks the whole chain; the next ones only what was added since (here the
  // audit reads themselves add nothing), with the same totals; POST walks the whole chain again.
  EXPECT_EQ(verify.at("whole_chain"), true);
  EXPECT_EQ(verify.at("checked"), verify.at("entries"));
  const json::value again = get(anna, "/api/v1/audit/verify");
  EXPECT_EQ(again.at("ok"), true) << again;
  EXPECT_EQ(again.at("whole_chain"), false);
  EXPECT_EQ(again.at("checked").as_int64(), 0);
  EXPECT_EQ(again.at("entries"), verify.at("entries"));
  EXPECT_EQ(again.at("whole_chain_verified_at"), verify.at("whole_chain_verified_at"));
  upload(anna, "december.xml", camt(8, 5));
  const json::value after_upload = get(anna, "/api/v1/audit/verify");
  EXPECT_EQ(after_upload.at("whole_chain"), false);
  EXPECT_GT(after_upload.at("checked").as_int64(), 0);
  EXPECT_EQ(after_upload.at("entries").as_int64(),
            verify.at("entries").as_int64() + after_upload.at("checked").as_int64());
  const Response whole = call("POST", "/api/v1/audit/verify", {}, &anna);
  ASSERT_EQ(whole.status, 200) << whole.body;
  const json::value whole_json = json::parse(whole.body);
  EXPECT_EQ(whole_json.at("whole_chain"), true);
  EXPECT_EQ(whole_json.at("entries"), after_upload.at("entries"));
  EXPECT_EQ(call("POST", "/api/v1/audit/verify", {}, &anna, /*csrf=*/false).status, 403);
}

TEST_F(DataApiTest, a_statements_status_follows_its_lines_review_first_then_all_reconciled) {
  const Session anna = user("anna", Role::accountant);
  const json::value up = upload(anna, "november.xml", camt(7, 12));
  ASSERT_EQ(up.at("status"), "imported");
  const auto status = [&] { return get(anna, "/api/v1/statements").at("items").at(0).at("status"); };
  const auto set = [&](const std::string& sql) { ASSERT_TRUE(t_.store->db().exec(sql)); };
  EXPECT_EQ(status(), "processed");
  // Some lines reconciled, the rest not: still processed; a line in review wins over everything.
  set("UPDATE entries SET status = 'reconciled' WHERE id IN (SELECT id FROM entries ORDER BY id LIMIT 5)");
  EXPECT_EQ(status(), "processed");
  set("UPDATE entries SET status = 'review' WHERE id = (SELECT max(id) FROM entries)");
  EXPECT_EQ(status(), "review");
  EXPECT_EQ(get(anna, "/api/v1/statements?status=review").at("items").as_array().size(), 1u);
  set("UPDATE entries SET status = 'reconciled'");
  EXPECT_EQ(status(), "reconciled");
  EXPECT_EQ(get(anna, "/api/v1/statements?status=reconciled").at("items").as_array().size(), 1u);
  EXPECT_TRUE(get(anna, "/api/v1/statements?status=processed").at("items").as_array().empty());
  // Fewer stored lines than the statement's count (duplicates skipped at import): all of the
  // stored ones reconciled is reconciled.
  set("UPDATE statements SET entry_count = entry_count + 3");
  EXPECT_EQ(status(), "reconciled");
  set("UPDATE entries SET status = 'processed' WHERE id = (SELECT min(id) FROM entries)");
  EXPECT_EQ(status(), "processed");
}

TEST_F(DataApiTest, the_same_file_again_is_a_duplicate_and_adds_nothing) {
  const Session anna = user("anna", Role::accountant);
  const std::string bytes = camt(3, 5);
  const json::value first = upload(anna, "a.xml", bytes);
  const json::value again = upload(anna, "a-copy.xml", bytes);
  EXPECT_EQ(again.at("status"), "duplicate_file");
  EXPECT_EQ(again.at("entries").as_int64(), 0);
  EXPECT_EQ(again.at("file_id"), first.at("file_id"));
  EXPECT_EQ(all_pages(anna, "/api/v1/entries", 50).size(), 5u);
  EXPECT_EQ(reconcile_requests_.size(), 1u);  // only the import that added lines asks for a run
  const auto actions = audit_actions("anna");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "import.duplicate_file"), actions.end());
}

TEST_F(DataApiTest, a_bad_file_is_reported_with_line_and_column_and_listed_as_a_parse_error) {
  const Session anna = user("anna", Role::accountant);
  std::ifstream in(std::string(BANKREC_TEST_SOURCE_DIR) + "/tests/fixtures/formats/camt053/bankrec/minified-bad-amount.camt053.001.08.xml",
                   std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  const json::value up = upload(anna, "bad.xml", bytes);
  EXPECT_EQ(up.at("status"), "error");
  EXPECT_EQ(up.at("error").at("line").as_int64(), 1);
  EXPECT_EQ(up.at("error").at("column").as_int64(), 594);
  EXPECT_THAT(std::string(up.at("error").at("message").as_string()), HasSubstr("invalid amount '30,00'"));
  EXPECT_TRUE(reconcile_requests_.empty());
  const json::value errors = get(anna, "/api/v1/errors?kind=parse");
  ASSERT_EQ(errors.at("items").as_array().size(), 1u);
  EXPECT_EQ(errors.at("items").at(0).at("detail"), "bad.xml");
  EXPECT_EQ(errors.at("items").at(0).at("can_retry"), false);
  // The failed file's original is kept too.
  const Response original =
      call("GET", "/api/v1/files/" + std::to_string(up.at("file_id").as_int64()) + "/original", {}, &anna);
  EXPECT_EQ(original.body, bytes);
  // An unknown forced format is a bad request, not an import.
  EXPECT_EQ(call("POST", "/api/v1/uploads?format=nope", bytes, &anna, true, {{"X-File-Name", "x"}}).status, 400);
}

TEST_F(DataApiTest, entries_page_by_keyset_through_every_sort_and_filter) {
  const Session vera = user("vera", Role::viewer);
  const Session anna = user("anna", Role::accountant);
  upload(anna, "a.xml", camt(1, 37));
  upload(anna, "b.xml", camt(2, 11, "DE02120300000000202051"));
  int pages = 0;
  const auto all = all_pages(vera, "/api/v1/entries", 5, &pages);
  ASSERT_EQ(all.size(), 48u);
  EXPECT_EQ(pages, 10);
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].at("id").as_int64());
    if (i > 0) {
      const std::string prev(all[i - 1].at("booking_date").as_string()), cur(all[i].at("booking_date").as_string());
      EXPECT_GE(prev, cur) << i;
      if (prev == cur) {
        EXPECT_GT(all[i - 1].at("id").as_int64(), all[i].at("id").as_int64());
      }
    }
  }
  EXPECT_EQ(ids.size(), 48u);  // no line twice, none skipped

  const auto by_amount = all_pages(vera, "/api/v1/entries?sort=amount", 7);
  ASSERT_EQ(by_amount.size(), 48u);
  for (std::size_t i = 1; i < by_amount.size(); ++i)
    EXPECT_LE(std::stod(std::string(by_amount[i - 1].at("amount").as_string())),
              std::stod(std::string(by_amount[i].at("amount").as_string())));
  const auto oldest_first = all_pages(vera, "/api/v1/entries?sort=booking_date", 9);
  ASSERT_EQ(oldest_first.size(), 48u);
  EXPECT_EQ(oldest_first.front().at("booking_date"), "2026-11-01");

  const auto account = all_pages(vera, "/api/v1/entries?account=DE02120300000000202051", 4);
  EXPECT_EQ(account.size(), 11u);
  const auto range = all_pages(vera, "/api/v1/entries?from=2026-11-05&to=2026-11-06&sort=-amount", 2);
  for (const auto& e : range) {
    const std::string d(e.at("booking_date").as_string());
    EXPECT_TRUE(d == "2026-11-05" || d == "2026-11-06") << d;
  }
  EXPECT_FALSE(range.empty());
  const auto debits = all_pages(vera, "/api/v1/entries?max=-0.01", 10);
  EXPECT_EQ(debits.size(), 12u + 3u);  // every third line is a debit
  for (const auto& e : debits) EXPECT_EQ(std::string(e.at("amount").as_string()).front(), '-');
  const auto big = all_pages(vera, "/api/v1/entries?min=200.00&max=250.00", 10);
  for (const auto& e : big) {
    const double a = std::stod(std::string(e.at("amount").as_string()));
    EXPECT_TRUE(a >= 200.0 && a <= 250.0) << a;
  }
  EXPECT_EQ(all_pages(vera, "/api/v1/entries?q=kunde%202-7", 10).size(), 1u);  // counterparty, case-insensitive
  EXPECT_EQ(all_pages(vera, "/api/v1/entries?status=processed", 20).size(), 48u);
  EXPECT_TRUE(all_pages(vera, "/api/v1/entries?status=reconciled", 20).empty());

  EXPECT_EQ(call("GET", "/api/v1/entries?sort=payee", {}, &vera).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/entries?limit=501", {}, &vera).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/entries?after=garbage", {}, &vera).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/entries?colour=red", {}, &vera).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/entries/999999", {}, &vera).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/statements/abc", {}, &vera).status, 404);
}

TEST_F(DataApiTest, list_queries_are_index_ranges_without_sorting_or_offset) {
  const Session anna = user("anna", Role::accountant);
  upload(anna, "a.xml", camt(1, 30));
  store::ConsoleDataRepo repo(*t_.store);
  const auto plan_of = [&](store::EntryFilter filter, std::string after = {}) {
    std::vector<std::string> plan;
    EXPECT_OK(repo.entries(filter, {.limit = 5, .after = after}, &plan));
    std::string text;
    for (const auto& line : plan) text += line + "\n";
    return text;
  };
  store::EntryFilter newest;
  const auto first = repo.entries(newest, {.limit = 5, .after = {}});
  ASSERT_OK(first);
  ASSERT_TRUE(first->next.has_value());
  const std::string plan = plan_of(newest, *first->next);
  EXPECT_THAT(plan, HasSubstr("USING INDEX entries_booking_date"));
  EXPECT_THAT(plan, Not(HasSubstr("TEMP B-TREE")));
  store::EntryFilter status;
  status.status = "review";
  EXPECT_THAT(plan_of(status), HasSubstr("USING INDEX entries_status_date"));
  EXPECT_THAT(plan_of(status), Not(HasSubstr("TEMP B-TREE")));
  store::EntryFilter amount;
  amount.sort = store::EntrySort::amount_desc;
  EXPECT_THAT(plan_of(amount), HasSubstr("USING INDEX entries_amount"));
  EXPECT_THAT(plan_of(amount), Not(HasSubstr("TEMP B-TREE")));
  store::EntryFilter account;
  account.account_iban = kIban;
  EXPECT_THAT(plan_of(account), HasSubstr("USING INDEX entries_account_date"));
  EXPECT_THAT(plan_of(account), Not(HasSubstr("TEMP B-TREE")));

  std::vector<std::string> audit_plan;
  store::AuditFilter since;
  since.from = "2026-11-01";
  ASSERT_OK(repo.audit(since, {.limit = 5, .after = "100"}, &audit_plan));
  std::string text;
  for (const auto& line : audit_plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("USING INTEGER PRIMARY KEY"));
  EXPECT_THAT(text, Not(HasSubstr("TEMP B-TREE")));
}

TEST_F(DataApiTest, a_dead_letter_is_retried_or_dismissed_once_with_an_audit_entry) {
  const Session anna = user("anna", Role::accountant);
  store::JobsRepo jobs(*t_.store);
  store::NewJob job;
  job.kind = store::JobKind::import;
  job.created_by = "test";
  const auto enqueued = jobs.enqueue(job);
  ASSERT_OK(enqueued);
  const auto claimed = jobs.claim("worker", std::chrono::seconds(60), {});
  ASSERT_OK(claimed);
  ASSERT_TRUE(claimed->has_value());
  ASSERT_OK(jobs.bury(enqueued->id, "worker", "cannot read /srv/inbox/x.xml"));
  const std::string id = std::to_string(enqueued->id);

  const json::value dead = get(anna, "/api/v1/jobs?state=dead");
  ASSERT_EQ(dead.at("items").as_array().size(), 1u);
  EXPECT_EQ(dead.at("items").at(0).at("dead_letter"), true);
  const json::value errors = get(anna, "/api/v1/errors?kind=dead_letter");
  ASSERT_EQ(errors.at("items").as_array().size(), 1u);
  EXPECT_EQ(errors.at("items").at(0).at("id").as_int64(), enqueued->id);
  EXPECT_EQ(errors.at("items").at(0).at("can_retry"), true);

  EXPECT_EQ(call("POST", "/api/v1/jobs/" + id + "/retry", {}, &anna, false).status, 403);  // no CSRF token
  const Response retried = call("POST", "/api/v1/jobs/" + id + "/retry", {}, &anna);
  EXPECT_EQ(retried.status, 204) << retried.body;
  EXPECT_EQ(call("POST", "/api/v1/jobs/" + id + "/retry", {}, &anna).status, 409);
  EXPECT_EQ(call("POST", "/api/v1/jobs/999/dismiss", {}, &anna).status, 404);
  EXPECT_EQ(get(anna, "/api/v1/jobs?state=queued").at("items").as_array().size(), 1u);
  EXPECT_TRUE(get(anna, "/api/v1/errors?kind=dead_letter").at("items").as_array().empty());
  const auto actions = audit_actions("anna");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "dead_letter.retry"), actions.end());
  EXPECT_EQ(call("GET", "/api/v1/jobs?state=sleeping", {}, &anna).status, 400);
}

TEST_F(DataApiTest, alerts_are_listed_and_acknowledged_with_an_audit_entry) {
  const Session anna = user("anna", Role::accountant);
  store::AlertsRepo alerts(*t_.store);
  store::NewAlert alert;
  alert.kind = "parse_failed";
  alert.alert_key = "x.xml";
  alert.severity = "error";
  alert.message = "x.xml could not be read\nline 3: bad amount";
  ASSERT_OK(alerts.raise(alert, {}, {}));
  const json::value open = get(anna, "/api/v1/alerts");
  ASSERT_EQ(open.at("items").as_array().size(), 1u);
  const json::value& a = open.at("items").at(0);
  EXPECT_EQ(a.at("title"), "x.xml could not be read");
  EXPECT_EQ(a.at("detail"), "line 3: bad amount");
  EXPECT_EQ(a.at("count").as_int64(), 1);
  const std::string id = std::to_string(a.at("id").as_int64());
  EXPECT_EQ(call("POST", "/api/v1/alerts/" + id + "/acknowledge", {}, &anna).status, 204);
  EXPECT_EQ(get(anna, "/api/v1/alerts?state=all").at("items").at(0).at("acknowledged_by"), "anna");
  EXPECT_EQ(call("POST", "/api/v1/alerts/424242/acknowledge", {}, &anna).status, 404);
  const auto actions = audit_actions("anna");
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "alert.acknowledge"), 1);
  EXPECT_EQ(get(anna, "/api/v1/dashboard").at("open_alerts").as_int64(), 1);
}

TEST_F(DataApiTest, statements_page_newest_first_and_audit_pages_by_seq) {
  const Session anna = user("anna", Role::accountant);
  for (int i = 1; i <= 7; ++i) upload(anna, "s" + std::to_string(i) + ".xml", camt(i, 2));
  int pages = 0;
  const auto all = all_pages(anna, "/api/v1/statements", 3, &pages);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(pages, 3);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1].at("id").as_int64(), all[i].at("id").as_int64());
  const auto audit = all_pages(anna, "/api/v1/audit?action=upload.file", 2);
  ASSERT_EQ(audit.size(), 7u);
  for (std::size_t i = 1; i < audit.size(); ++i) EXPECT_GT(audit[i - 1].at("seq").as_int64(), audit[i].at("seq").as_int64());
  EXPECT_EQ(all_pages(anna, "/api/v1/audit?object=source_file:1", 10).size(),
            2u);  // the import of file 1 and its upload
}

TEST_F(DataApiTest, a_balance_continuity_break_shows_as_a_warning_of_the_later_statement) {
  const Session anna = user("anna", Role::accountant);
  upload(anna, "october.xml", camt_balances(1, 10000, "2026-10-01", 1000, "2026-10-31"));  // closes at 110.00
  upload(anna, "november.xml", camt_balances(2, 20000, "2026-11-01", 500, "2026-11-30"));  // opens at 200.00
  upload(anna, "december.xml", camt_balances(3, 20500, "2026-12-01", 100, "2026-12-31"));  // continues
  const auto all = all_pages(anna, "/api/v1/statements", 10);
  ASSERT_EQ(all.size(), 3u);
  std::map<std::string, std::vector<std::string>> warnings;
  for (const auto& s : all)
    for (const auto& w : s.at("warnings").as_array())
      warnings[std::string(s.at("file_name").as_string())].push_back(std::string(w.as_string()));
  EXPECT_EQ(warnings.count("october.xml"), 0u);
  EXPECT_EQ(warnings.count("december.xml"), 0u);
  ASSERT_EQ(warnings["november.xml"].size(), 1u);
  EXPECT_THAT(warnings["november.xml"][0], HasSubstr("differs from the previous closing balance 110.00"));
  const json::value dashboard = get(anna, "/api/v1/dashboard");
  EXPECT_EQ(dashboard.at("accounts").at(0).at("balance"), "206.00");
  EXPECT_EQ(dashboard.at("accounts").at(0).at("balance_date"), "2026-12-31");
}

TEST_F(DataApiTest, the_openapi_document_names_every_api_route) {
  const Session vera = user("vera", Role::viewer);
  const Response r = call("GET", "/api/v1/openapi.yaml", {}, &vera);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/yaml");
  EXPECT_THAT(r.body, HasSubstr("openapi: 3."));
  for (const auto& route : router_.routes()) {
    EXPECT_THAT(r.body, HasSubstr("  " + route.pattern + ":\n")) << route.method << " " << route.pattern;
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = r.body.find("  " + route.pattern + ":\n");
    const auto next = r.body.find("\n  /api/", at + 1);
    EXPECT_THAT(r.body.substr(at, next - at), HasSubstr("    " + method + ":")) << route.method << " " << route.pattern;
  }
}

}  // namespace
}  // namespace bankrec::http
