// The admin API against a real bankrecd over HTTPS on 127.0.0.1: open items and a statement loaded
// with the real CLI, a line in review, an admin (TOTP enrolled with the CLI, codes computed here with
// OpenSSL) accepts a suggestion and the audit log has it; an API token is created, used by a machine
// client with `Authorization: Bearer`, revoked, and refused afterwards.
#include <signal.h>

#include <sstream>

#include "console_harness.h"
#include "daemon_harness.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using namespace console_test;

/// One 50.00 EUR line from "Muster Wohnen GmbH" without an invoice number: two invoices of 50.00
/// of that partner fit equally, so the line goes to review with two suggestions.
std::string review_statement() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>MSG-ADMIN</MsgId><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm></GrpHdr>"
         "<Stmt><Id>STMT-ADMIN</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm>"
         "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
         "<Ntry><Amt Ccy=\"EUR\">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
         "<BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>REF-A1</AcctSvcrRef>"
         "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Muster Wohnen GmbH</Nm></Dbtr></RltdPties>"
         "<RmtInf><Ustrd>Zahlung</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
         "</Stmt></BkToCstmrStmt></Document>\n";
}

class ConsoleAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<daemon_test::Daemon>(dir_.path(), "log:\n  level: info\n");
    ASSERT_TRUE(daemon_->start());
  }

  std::vector<std::string> cli(std::initializer_list<std::string> args) const {
    std::vector<std::string> argv{BANKREC_CLI, "--data-dir", daemon_->data().string(), "--config",
                                  daemon_->config().string()};
    argv.insert(argv.end(), args);
    return argv;
  }
  void run_cli(std::initializer_list<std::string> args) {
    std::string out;
    ASSERT_EQ(run_with_input(cli(args), {}, &out), 0) << out;
  }

  /// An admin with TOTP enrolled through the CLI; returns the raw secret.
  std::string add_admin(const std::string& name) {
    std::string out, uri;
    EXPECT_EQ(run_with_input(cli({"user", "add", name, "--role", "admin"}), std::string(kPassword) + "\n", &out), 0)
        << out;
    return enrol_totp(cli({}), name, &uri, &out);
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body = {},
             const std::vector<std::string>& headers = {}) {
    return request(method, daemon_->base() + path, daemon_->ca(), body, headers);
  }

  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<daemon_test::Daemon> daemon_;
};

TEST_F(ConsoleAdminTest, accept_in_review_is_audited_and_a_revoked_token_is_refused) {
  const fs::path items = dir_.path() / "items.csv";
  testing::write_file(items,
                      "id,kind,partner_id,partner_name,document_number,amount,currency,due_date\n"
                      "I1,invoice,4711,Muster Wohnen GmbH,RE-2026-000001,50.00,EUR,2026-11-25\n"
                      "I2,invoice,4711,Muster Wohnen GmbH,RE-2026-000002,50.00,EUR,2026-11-25\n");
  const fs::path statement = dir_.path() / "statement.xml";
  testing::write_file(statement, review_statement());
  run_cli({"open-items", "import", items.string()});
  run_cli({"import", statement.string()});
  run_cli({"reconcile"});

  const std::string secret = add_admin("root");
  // The CLI used this step's code; the next step's is fresh.
  const Reply login = call("POST", "/api/v1/auth/login", login_body("root", kPassword, totp(secret, step_now() + 1)));
  ASSERT_EQ(login.status, 200) << login.body << daemon_->log();
  const Session signed_in = session_of(login);
  ASSERT_THAT(signed_in.cookie, ::testing::StartsWith("__Host-bankrec_session="));
  const std::vector<std::string> session = signed_in.headers();

  const Reply review = call("GET", "/api/v1/review", {}, session);
  ASSERT_EQ(review.status, 200) << review.body;
  const std::string entry = json_field(review.body, "id");
  ASSERT_FALSE(entry.empty()) << review.body;
  EXPECT_THAT(review.body, HasSubstr("\"index\":2"));
  const Reply accepted = call("POST", "/api/v1/review/" + entry + "/accept", R"({"suggestion":1})", session);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_THAT(accepted.body, HasSubstr("\"status\":\"reconciled\""));

  // The audit log, read with the real CLI, has the decision with the admin as actor; the chain holds.
  const auto exported = daemon_->cli({"audit", "export"});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  bool found = false;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);)
    found = found || (line.find("\"actor\":\"root\"") != std::string::npos &&
                      line.find("\"reconcile.accept\"") != std::string::npos);
  EXPECT_TRUE(found) << exported.out;
  const auto verified = daemon_->cli({"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // A machine client: token created (the sign-in with a code counts as step-up), used, revoked.
  const Reply created = call("POST", "/api/v1/tokens", R"({"name":"erp","scopes":["read"]})", session);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = json_field(created.body, "token");
  const std::string token_id = json_field(created.body, "id");
  ASSERT_THAT(token, ::testing::StartsWith("brk_"));
  const std::vector<std::string> bearer{"Authorization: Bearer " + token};
  const Reply machine = call("GET", "/api/v1/open-items?status=all", {}, bearer);
  EXPECT_EQ(machine.status, 200) << machine.body;
  EXPECT_THAT(machine.body, HasSubstr("\"id\":\"I1\""));
  EXPECT_EQ(call("POST", "/api/v1/review/" + entry + "/undo", "", bearer).status, 403);  // read scope only
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + token_id, {}, session).status, 204);
  const Reply after = call("GET", "/api/v1/open-items", {}, bearer);
  EXPECT_EQ(after.status, 401) << after.body;
  // The token never shows up in the daemon's log.
  EXPECT_THAT(daemon_->log(), ::testing::Not(HasSubstr(token)));
}

// console.login_* from bankrec.yaml set the throttle; a lockout raises a login_lockout alert.
TEST_F(ConsoleAdminTest, a_lockout_from_the_configured_limit_raises_an_alert) {
  daemon_->process().signal(SIGTERM);
  ASSERT_EQ(daemon_->process().wait(30000), 0) << daemon_->log();
  daemon_->write_config(
      "console:\n  login_max_failures_per_account: 2\n  login_lockout_minutes: 5\n  session_idle_minutes: 10\n");
  ASSERT_TRUE(daemon_->start());
  std::string out;
  ASSERT_EQ(run_with_input(cli({"user", "add", "lou", "--role", "accountant"}), std::string(kPassword) + "\n", &out), 0)
      << out;
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"name":"lou","password":"wrong-password-1"})").status, 401);
  const Reply locked = call("POST", "/api/v1/auth/login", login_body("lou", kPassword));
  EXPECT_EQ(locked.status, 429) << locked.body;
  // The lockout lasts 300 s from the last failure; a second may have passed since.
  EXPECT_THAT(locked.headers, ::testing::ContainsRegex("Retry-After: (29[0-9]|300)\r\n"));
  const auto db = daemon_test::open_database(daemon_->data(), clock_);
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->db().query_int("SELECT count(*) FROM alerts WHERE kind = 'login_lockout' AND alert_key = 'account:lou'"),
            1);
  EXPECT_EQ(*db->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'auth.lockout'"), 1);
  EXPECT_TRUE(daemon_->log_has("sign-in locked after repeated failures scope=account key=\"lou\"")) << daemon_->log();
}

}  // namespace
}  // namespace bankrec
