#include "schema.h"

namespace bankrec::store {
namespace {

// Version 1. SQLite 3.15.2 under SQLCipher 3.4.1: no UPSERT, RETURNING, window functions or JSON1,
// so JSON is stored as text and rebuilt by domain/json. Times are UTC ISO 8601 text; money is an
// integer count of minor units beside its ISO 4217 code. Indexes serve the console's list queries
// (newest first per account, per status, per file) at 10 million entries.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY,
  account_key TEXT NOT NULL UNIQUE,   -- IBAN|currency, else bank code/number|currency
  iban TEXT, bic TEXT, number TEXT, bank_code TEXT, currency TEXT, owner TEXT, name TEXT, servicer TEXT,
  created_at TEXT NOT NULL);

CREATE TABLE source_files(
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('upload', 'inbox', 'api', 'cli')),
  actor TEXT NOT NULL,
  received_at TEXT NOT NULL,
  finished_at TEXT,
  format TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'error')),
  error TEXT,
  statements INTEGER NOT NULL DEFAULT 0,
  entries_new INTEGER NOT NULL DEFAULT 0,
  entries_skipped INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX source_files_sha256_processed ON source_files(sha256) WHERE status = 'processed';
CREATE INDEX source_files_received ON source_files(received_at);
CREATE INDEX source_files_status ON source_files(status, received_at);

CREATE TABLE statements(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  source_file_id INTEGER NOT NULL REFERENCES source_files(id),
  statement_key TEXT NOT NULL,        -- Stmt/Id, else sequence|from date, else file-scoped
  bank_statement_id TEXT, sequence TEXT, created_at TEXT, from_date TEXT, to_date TEXT,
  currency TEXT, opening_minor INTEGER, opening_date TEXT, closing_minor INTEGER, closing_date TEXT,
  entry_count INTEGER NOT NULL DEFAULT 0,
  header_json TEXT NOT NULL,
  UNIQUE (account_id, statement_key));
CREATE INDEX statements_account_date ON statements(account_id, to_date);
CREATE INDEX statements_file ON statements(source_file_id);

CREATE TABLE entries(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  statement_id INTEGER NOT NULL REFERENCES statements(id),
  source_file_id INTEGER NOT NULL REFERENCES source_files(id),
  entry_index INTEGER NOT NULL,       -- 0-based position in its statement
  -- The checks on this hot table are written with OR, not IN: SQLite 3.15 builds an ephemeral
  -- table for every IN list of a CHECK on every insert (a quarter of the insert's cost).
  status TEXT NOT NULL DEFAULT 'processed'
    CHECK (status = 'pending' OR status = 'processed' OR status = 'reconciled' OR status = 'review'
           OR status = 'unmatched' OR status = 'error'),
  booking TEXT NOT NULL CHECK (booking = 'booked' OR booking = 'pending' OR booking = 'info'),
  provisional TEXT                    -- pending entries only
    CHECK (provisional = 'open' OR provisional = 'replaced' OR provisional = 'expired'),
  replaced_by INTEGER REFERENCES entries(id),
  expires_on TEXT,
  booking_date TEXT, value_date TEXT,
  amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  -- Identity (README.md, "Entry identity"): 64-bit BLAKE2b of the tier-1 key and of the tier-3 key
  -- (content hash with its occurrence number). A hash hit counts only when the key recomputed from
  -- the stored row is the same, so a collision never drops an entry. Tier 2 (statement position)
  -- is the statement row itself plus entry_index.
  bank_hash INTEGER,
  content_hash INTEGER NOT NULL,
  occurrence INTEGER NOT NULL DEFAULT 1,
  bank_reference TEXT, end_to_end_id TEXT,
  counterparty_name TEXT, counterparty_iban TEXT,
  error TEXT,
  rest BLOB NOT NULL);                -- the other fields of the entry, compact (entry_codec.cpp)
-- Each index is one the import or a console list needs at 10 million entries: identity lookups
-- (bank and content hash per account, statement position), newest first per account and per status,
-- the entries of a statement or file, open pending lines.
CREATE INDEX entries_bank_hash ON entries(account_id, bank_hash) WHERE bank_hash IS NOT NULL;
-- The content hash index in two halves: a keyed line is compared with unkeyed ones only, so an
-- import of lines that all carry bank ids skips that lookup while the account has no unkeyed line
-- (one seek in entries_content_unkeyed tells).
CREATE INDEX entries_content_unkeyed ON entries(account_id, content_hash) WHERE bank_hash IS NULL;
CREATE INDEX entries_content_keyed ON entries(account_id, content_hash) WHERE bank_hash IS NOT NULL;
CREATE INDEX entries_account_date ON entries(account_id, booking_date);
-- (status, rowid): the reconcile batch (status = 'processed' ORDER BY id) and the per-status lists
-- (newest first) read it in order, without sorting millions of rows.
CREATE INDEX entries_status ON entries(status);
CREATE INDEX entries_statement ON entries(statement_id, entry_index);
CREATE INDEX entries_pending ON entries(account_id, amount_minor) WHERE provisional = 'open';

CREATE TABLE entry_skips(
  id INTEGER PRIMARY KEY,
  source_file_id INTEGER NOT NULL REFERENCES source_files(id),
  statement_id INTEGER REFERENCES statements(id),
  entry_index INTEGER NOT NULL,
  tier TEXT NOT NULL CHECK (tier = 'bank' OR tier = 'position' OR tier = 'content'),
  key TEXT NOT NULL,
  existing_entry_id INTEGER NOT NULL REFERENCES entries(id),
  amount_minor INTEGER, currency TEXT, booking_date TEXT);
CREATE INDEX entry_skips_file ON entry_skips(source_file_id);
CREATE INDEX entry_skips_existing ON entry_skips(existing_entry_id);

CREATE TABLE account_warnings(
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  statement_id INTEGER REFERENCES statements(id),
  kind TEXT NOT NULL CHECK (kind IN ('balance_gap', 'sequence_gap', 'source_divergence')),
  message TEXT NOT NULL,
  missing_from TEXT, missing_to TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT, resolved_by TEXT);
CREATE INDEX account_warnings_open ON account_warnings(account_id, resolved_at);

CREATE TABLE open_items(
  id INTEGER PRIMARY KEY,
  item_key TEXT NOT NULL UNIQUE,      -- the ERP's id
  kind TEXT NOT NULL CHECK (kind IN ('invoice', 'bill', 'credit_note', 'expected')),
  partner_id TEXT, partner_name TEXT, document_number TEXT,
  amount_minor INTEGER NOT NULL, open_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  issue_date TEXT, due_date TEXT, reference TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'partial', 'settled', 'written_off', 'cancelled')),
  item_json TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE INDEX open_items_status_due ON open_items(status, due_date);
CREATE INDEX open_items_partner ON open_items(partner_id);
CREATE INDEX open_items_document ON open_items(document_number);

CREATE TABLE open_item_history(
  id INTEGER PRIMARY KEY,
  open_item_id INTEGER NOT NULL REFERENCES open_items(id),
  changed_at TEXT NOT NULL, actor TEXT NOT NULL, change TEXT NOT NULL,
  before_json TEXT, after_json TEXT);
CREATE INDEX open_item_history_item ON open_item_history(open_item_id, changed_at);

CREATE TABLE rules(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  priority INTEGER NOT NULL DEFAULT 100,
  enabled INTEGER NOT NULL DEFAULT 1,
  definition_json TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);

CREATE TABLE matches(
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  decision TEXT NOT NULL CHECK (decision IN ('auto', 'suggest', 'manual')),
  status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'undone')),
  score INTEGER, rule_id INTEGER REFERENCES rules(id),
  reasons_json TEXT NOT NULL DEFAULT '[]',
  writeoff_minor INTEGER, writeoff_reason TEXT,
  created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  decided_at TEXT, decided_by TEXT);
CREATE INDEX matches_entry ON matches(entry_id);
CREATE INDEX matches_status ON matches(status, created_at);

CREATE TABLE allocations(
  id INTEGER PRIMARY KEY,
  match_id INTEGER NOT NULL REFERENCES matches(id),
  open_item_id INTEGER NOT NULL REFERENCES open_items(id),
  amount_minor INTEGER NOT NULL, currency TEXT NOT NULL);
CREATE INDEX allocations_match ON allocations(match_id);
CREATE INDEX allocations_item ON allocations(open_item_id);

CREATE TABLE connectors(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  settings_json TEXT NOT NULL,        -- no secrets here; they go to connector_tokens
  schedule TEXT,
  last_run_at TEXT, last_status TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);

CREATE TABLE connector_tokens(
  id INTEGER PRIMARY KEY,
  connector_id INTEGER NOT NULL REFERENCES connectors(id),
  kind TEXT NOT NULL,                 -- access_token, refresh_token, password, private_key, ...
  nonce BLOB NOT NULL,                -- secretbox nonce: tokens are encrypted once more inside the db
  ciphertext BLOB NOT NULL,
  expires_at TEXT, updated_at TEXT NOT NULL,
  UNIQUE (connector_id, kind));

CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'accountant', 'approver', 'admin')),
  password_hash TEXT,                 -- Argon2id string (crypto_pwhash_str)
  totp_secret BLOB, totp_enrolled_at TEXT,
  failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);

CREATE TABLE sessions(
  id TEXT PRIMARY KEY,                -- hash of the 256-bit session id, never the id itself
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL,
  step_up_at TEXT, client TEXT);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  payload_json TEXT NOT NULL DEFAULT '{}',
  attempts INTEGER NOT NULL DEFAULT 0,
  run_after TEXT NOT NULL,
  started_at TEXT, finished_at TEXT, error TEXT, progress_json TEXT,
  created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE INDEX jobs_due ON jobs(state, run_after);

CREATE TABLE dead_letters(
  id INTEGER PRIMARY KEY,
  job_id INTEGER REFERENCES jobs(id),
  kind TEXT NOT NULL, payload_json TEXT NOT NULL, error TEXT NOT NULL,
  attempts INTEGER NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT);
CREATE INDEX dead_letters_open ON dead_letters(resolved_at, created_at);

CREATE TABLE alerts(
  id INTEGER PRIMARY KEY,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
  kind TEXT NOT NULL, message TEXT NOT NULL,
  object_type TEXT, object_id TEXT,
  created_at TEXT NOT NULL, acknowledged_at TEXT, acknowledged_by TEXT);
CREATE INDEX alerts_open ON alerts(acknowledged_at, created_at);

CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL, action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE audit_checkpoints(
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL, signed_at TEXT NOT NULL, signature TEXT NOT NULL, public_key TEXT NOT NULL);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
)sql";

// Later steps live in their own files, one per topic, so that work on different areas does not
// collide. Before the first release a step may still be edited; after it, only new steps are added.
constexpr std::string_view kSchemaV2 =
#include "schema_v2_store.inc"
    ;
constexpr std::string_view kSchemaV3 =
#include "schema_v3_reconcile.inc"
    ;
constexpr std::string_view kSchemaV4 =
#include "schema_v4_jobs.inc"
    ;
constexpr std::string_view kSchemaV5 =
#include "schema_v5_alerts.inc"
    ;
constexpr std::string_view kSchemaV6 =
#include "schema_v6_connectors.inc"
    ;
constexpr std::string_view kSchemaV7 =
#include "schema_v7_reconcile_backtest.inc"
    ;
constexpr std::string_view kSchemaV8 =
#include "schema_v8_store_perf.inc"
    ;
constexpr std::string_view kSchemaV9 =
#include "schema_v9_daemon.inc"
    ;
constexpr std::string_view kSchemaV10 =
#include "schema_v10_users.inc"
    ;
constexpr std::string_view kSchemaV11 =
#include "schema_v11_console_admin.inc"
    ;
constexpr std::string_view kSchemaV12 =
#include "schema_v12_console_data.inc"
    ;
constexpr std::string_view kSchemaV13 =
#include "schema_v13_connectors_sca.inc"
    ;
constexpr std::string_view kSchemaV14 =
#include "schema_v14_import_speed.inc"
    ;
constexpr std::string_view kSchemaV15 =
#include "schema_v15_console_search.inc"
    ;
constexpr std::string_view kSchemaV16 =
#include "schema_v16_import_originals.inc"
    ;
constexpr std::string_view kSchemaV17 =
#include "schema_v17_console_search_speed.inc"
    ;

constexpr Migration kMigrations[] = {
    {1, "initial schema", kSchemaV1},
    {2, "ingestion: source comparison, pending expiry", kSchemaV2},
    {3, "reconciliation: review queue, decisions, learning", kSchemaV3},
    {4, "jobs: queue states, schedules, dead letters", kSchemaV4},
    {5, "alerts: deduplication and delivery", kSchemaV5},
    {6, "connectors: tokens, state, connection log, consents, gap tasks", kSchemaV6},
    {7, "reconciliation: backtests and rule proposals", kSchemaV7},
    {8, "ingestion: leaner entry rows", kSchemaV8},
    {9, "daemon: reconcile runs and daily jobs", kSchemaV9},
    {10, "users: console users, sessions, TOTP, login throttling", kSchemaV10},
    {11, "console: API tokens, settings (admin API)", kSchemaV11},
    {12, "console: uploads and list indexes (data API)", kSchemaV12},
    {13, "connectors: SCA flows, legacy Bridge users", kSchemaV13},
    {14, "ingestion: import speed", kSchemaV14},
    {15, "console: text search and list speed", kSchemaV15},
    {16, "ingestion: originals and import speed", kSchemaV16},
    {17, "console: search term statistics", kSchemaV17},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace bankrec::store
