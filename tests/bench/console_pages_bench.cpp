// Benchmark for the console's pages at scale (issue 8: "pages load fast with 10 million entries";
// issue 4: "indexes that keep the console's list queries fast"). Builds an encrypted database with N
// entries through the real import path (store::ImportWriter: identity, dedup, search index, audit
// entry and signed checkpoint per file): 6 accounts, one statement file per account and day over
// about two years, German counterparties and purposes, mixed statuses (older lines mostly
// reconciled), review suggestions and an audit log of about one entry per 20 lines. Then times every
// list and dashboard query the console API runs (ConsoleDataRepo, the review queue of
// ConsoleAdminRepo/ReconcileRepo), each once on a fresh connection ("cold": empty SQLite cache, so
// every page is read and decrypted again; the OS cache stays warm) and as the median of --runs
// repetitions on one connection ("warm").
// Usage: bench_console_pages [--entries N] [--dir DIR] [--reuse] [--runs R] [--days D] [--replicate-to N]
// [--index-cost N] [--build-only] [--search-tuning FEW,DENSE,BUDGET[,FORCE]]. --index-cost times what the search
// index adds to an import of N lines. --replicate-to grows the database by copying what the import wrote (replicate()).
// --dir is a bankrec data dir (bankrec.db, db.key, audit.key; bankrecd --data-dir DIR serves it);
// --reuse keeps an existing database there instead of building a new one. Without --dir a temp dir
// is used and removed afterwards.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <time.h>
#include <unistd.h>

#include "bankrec/base/clock.h"
#include "bankrec/base/text.h"
#include "bankrec/domain/date.h"
#include "bankrec/store/console_admin_repo.h"
#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/store/reconcile_repo.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/store/store.h"
#include "entry_search.h"  // store/src: search::tuning() for --search-tuning

namespace {

namespace domain = bankrec::domain;
namespace store = bankrec::store;
namespace fs = std::filesystem;
using bankrec::Result;

constexpr int kAccounts = 6;
int kDays = 730;  // --days

const char* const kIbans[kAccounts] = {"DE89370400440532013000", "DE02120300000000202051", "DE12500105170648489890",
                                       "DE44500105175407324931", "DE75512108001245126199", "DE68210501700012345678"};
const char* const kSurnames[] = {"Müller",  "Schmidt", "Schneider", "Fischer", "Weber",   "Meyer",    "Wagner",
                                 "Becker",  "Schulz",  "Hoffmann",  "Schäfer", "Koch",    "Bauer",    "Richter",
                                 "Klein",   "Wolf",    "Schröder",  "Neumann", "Schwarz", "Zimmermann", "Braun",
                                 "Krüger",  "Hofmann", "Hartmann",  "Lange",   "Weiß",    "Jäger",    "Günther",
                                 "Köhler",  "Groß",    "Böhm",      "Kühn",    "Mueller", "Schroeder"};
const char* const kFirst[] = {"Hans", "Jürgen", "Anna", "Sören", "Jörg", "Maria", "Björn", "Käthe", "Uwe", "Petra"};
const char* const kCompanies[] = {"Bäckerei {} GmbH", "{} & Söhne KG", "Autohaus {} e.K.", "Stadtwerke {}",
                                  "{} Großhandel AG", "Möbel {} GmbH & Co. KG", "Praxis Dr. {}", "{} Straßenbau GmbH"};
const char* const kMonths[] = {"Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                               "Juli",   "August",  "September", "Oktober", "November", "Dezember"};

std::uint64_t mix(std::uint64_t x) {  // splitmix64: deterministic data without a global RNG
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string replace_braces(std::string pattern, const std::string& name) {
  const auto p = pattern.find("{}");
  return p == std::string::npos ? pattern : pattern.replace(p, 2, name);
}

std::string party_name(std::uint64_t r) {
  const std::string surname = kSurnames[r % std::size(kSurnames)];
  switch ((r >> 8) % 4) {
    case 0: return std::string(kFirst[(r >> 16) % std::size(kFirst)]) + " " + surname;
    case 1: {  // bank style: upper case, surname first
      std::string s = surname + " " + kFirst[(r >> 16) % std::size(kFirst)];
      for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s;
    }
    default: return replace_braces(kCompanies[(r >> 16) % std::size(kCompanies)], surname);
  }
}

std::string partner_iban(std::uint64_t partner) {
  std::string digits = std::to_string(1000000000000000000ULL + (mix(partner) % 8999999999999999999ULL));
  return "DE" + std::to_string(10 + partner % 89) + digits.substr(0, 18);
}

domain::Entry make_entry(std::uint64_t serial, const domain::Date& day) {
  const std::uint64_t r = mix(serial);
  const std::uint64_t partner = r % 40000;
  domain::Entry e;
  e.booking_date = day;
  e.value_date = day;
  const bool credit = (r >> 20) % 10 < 7;
  const std::int64_t minor = 100 + static_cast<std::int64_t>((r >> 24) % 500000);
  e.amount = domain::Money(credit ? minor : -minor, domain::kEur);
  e.bank_reference = "BR" + std::to_string(serial);
  if ((r >> 40) % 3 != 0) e.end_to_end_id = "E2E-" + std::to_string(2020 + (r >> 44) % 6) + "-" + std::to_string(serial % 9999991);
  e.counterparty.name = party_name(mix(partner));
  e.counterparty.iban = partner_iban(partner);
  e.posting_text = credit ? "SEPA-GUTSCHRIFT" : "SEPA-LASTSCHRIFT";
  const int month = day.month - 1;
  switch ((r >> 50) % 5) {
    case 0: e.remittance = "Rechnung RE-" + std::to_string(day.year) + "-" + std::to_string(serial % 999983) + " Kd " + std::to_string(partner); break;
    case 1: e.remittance = "Miete " + std::string(kMonths[month]) + " " + std::to_string(day.year) + " Whg " + std::to_string(partner % 300); break;
    case 2: e.remittance = "Kartenzahlung Filiale " + std::to_string(partner % 120) + " Straße " + std::to_string(serial % 97); break;
    case 3: e.remittance = "Gehalt " + std::string(kMonths[month]) + " Personalnr " + std::to_string(partner); break;
    default: e.remittance = "SVWZ+Abschlag Strom Gas Vertrag " + std::to_string(partner * 7 % 100000) + " Zählernr " + std::to_string(r % 1000000); break;
  }
  return e;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Keys {
  store::SecretKey key;
  store::SigningKey signing;
};

Result<Keys> keys_in(const fs::path& dir) {
  fs::create_directories(dir);
  if (!fs::exists(dir / "db.key")) BANKREC_TRY(store::write_key_file(dir / "db.key", store::SecretKey::generate().bytes()));
  if (!fs::exists(dir / "audit.key"))
    BANKREC_TRY(store::write_signing_key_file(dir / "audit.key", store::SigningKey::generate()));
  auto key = BANKREC_TRY(store::load_secret_key(dir / "db.key"));
  auto signing = BANKREC_TRY(store::load_signing_key(dir / "audit.key"));
  return Keys{std::move(key), std::move(signing)};
}

/// Statuses of one imported statement's lines, then review suggestions and audit entries.
Result<void> age_statement(store::Store& s, std::int64_t file_id, int age_days, std::uint64_t seed) {
  return s.write([&]() -> Result<void> {
    const bool old = age_days > 14;
    // Percent thresholds: reconciled, review, unmatched, error; the rest stays processed.
    const int rec = old ? 80 : 40, rev = old ? 3 : 12, unm = old ? 12 : 10;
    auto u = BANKREC_TRY(s.db().prepare(
        "UPDATE entries SET status = CASE WHEN (id * 7919 + ?2) % 1000 < ?3 THEN 'reconciled' "
        "WHEN (id * 7919 + ?2) % 1000 < ?4 THEN 'review' WHEN (id * 7919 + ?2) % 1000 < ?5 THEN 'unmatched' "
        "WHEN (id * 7919 + ?2) % 1000 < ?6 THEN 'error' ELSE 'processed' END WHERE source_file_id = ?1"));
    u.bind(1, file_id).bind(2, static_cast<std::int64_t>(seed % 1000)).bind(3, rec * 10).bind(4, (rec + rev) * 10);
    u.bind(5, (rec + rev + unm) * 10).bind(6, (rec + rev + unm) * 10 + 2);
    BANKREC_TRY(u.run());
    BANKREC_TRY(s.db().exec(
        "INSERT INTO matches(entry_id, decision, status, score, reasons_json, created_at, created_by, suggestion_rank) "
        "SELECT id, 'suggest', 'proposed', 70 + id % 25, '[\"amount\",\"name\"]', '2025-01-01T00:00:00Z', 'system', 1 "
        "FROM entries WHERE source_file_id = " + std::to_string(file_id) + " AND status = 'review'"));
    auto ids = BANKREC_TRY(s.db().prepare("SELECT id, status FROM entries WHERE source_file_id = ?1 AND id % 20 = 0"));
    ids.bind(1, file_id);
    std::vector<std::pair<std::int64_t, std::string>> rows;
    while (BANKREC_TRY(ids.step())) rows.emplace_back(ids.column_int(0), ids.column_text(1));
    ids.reset();
    for (const auto& [id, status] : rows)
      BANKREC_TRY(s.audit().append({id % 3 == 0 ? "anna" : "system", "entry." + status, "entry", std::to_string(id),
                                    "{\"status\":\"" + status + "\"}"}));
    return bankrec::ok();
  });
}

Result<void> build(store::Store& s, std::int64_t entries, const domain::Date& today) {
  const auto start = std::chrono::steady_clock::now();
  BANKREC_TRY(s.db().exec("PRAGMA cache_size = -1000000"));  // 1 GB while building; the daemon keeps its 64 MB
  const std::int64_t per_statement = std::max<std::int64_t>(1, entries / (kAccounts * kDays));
  std::int64_t serial = 0;
  std::int64_t files = 0;
  for (int back = kDays - 1; back >= 0 && serial < entries; --back) {
    const domain::Date day = domain::Date::from_days(today.to_days() - back);
    for (int a = 0; a < kAccounts && serial < entries; ++a) {
      // Between half and one and a half of the mean per statement; the last one takes the rest.
      std::int64_t n = per_statement / 2 + static_cast<std::int64_t>(mix(files) % static_cast<std::uint64_t>(per_statement + 1));
      if (back == 0 && a == kAccounts - 1) n = entries - serial;
      n = std::min(n, entries - serial);
      const std::string name = "stmt-" + day.iso() + "-" + std::to_string(a) + ".xml";
      store::SourceFileInfo file{name, std::string(64, '0'), static_cast<std::uint64_t>(n) * 900,
                                 a % 2 ? store::FileSource::api : store::FileSource::inbox, a % 2 ? "bank-api" : "inbox"};
      const std::string number = std::to_string(files);
      file.sha256.replace(64 - number.size(), number.size(), number);  // distinct per file
      auto w = BANKREC_TRY(store::ImportWriter::begin(s, file));
      BANKREC_TRY(w->set_format("camt.053.001.08"));
      domain::Statement header;
      header.id = "STMT-" + day.iso() + "-" + std::to_string(a);
      header.sequence = std::to_string(kDays - back);
      header.account.iban = kIbans[a];
      header.account.currency = "EUR";
      header.from_date = header.to_date = day;
      BANKREC_TRY(w->begin_statement(header));
      std::vector<domain::Entry> batch;
      std::int64_t sum = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        batch.push_back(make_entry(static_cast<std::uint64_t>(serial++), day));
        sum += batch.back().amount.minor();
        if (batch.size() == 1000 || i + 1 == n) {
          BANKREC_TRY(w->add_entries(batch));
          batch.clear();
        }
      }
      const std::int64_t opening = 1'000'000'00 + static_cast<std::int64_t>(kDays - back) * 1000 + a;
      header.opening_balance = domain::Balance{};
      header.opening_balance->amount = domain::Money(opening, domain::kEur);
      header.opening_balance->date = day;
      header.closing_balance = domain::Balance{};
      header.closing_balance->amount = domain::Money(opening + sum, domain::kEur);
      header.closing_balance->date = day;
      BANKREC_TRY(w->end_statement(header));
      const auto result = BANKREC_TRY(w->commit());
      BANKREC_TRY(age_statement(s, result.source_file_id, back, static_cast<std::uint64_t>(files)));
      ++files;
      if (files % 200 == 0)
        std::fprintf(stderr, "  built %lld entries in %lld files, %.0f s\n", static_cast<long long>(serial),
                     static_cast<long long>(files), seconds_since(start));
    }
  }
  BANKREC_TRY(s.db().checkpoint());
  std::printf("built %lld entries in %lld files (statements) in %.1f s\n", static_cast<long long>(serial),
              static_cast<long long>(files), seconds_since(start));
  const auto index_start = std::chrono::steady_clock::now();
  const double index_cpu = cpu_seconds();
  const std::int64_t indexed = BANKREC_TRY(store::ConsoleDataRepo(s).index_for_search(entries));
  std::printf("search index behind the import: %lld lines in %.1f s (%.1f s cpu)\n", static_cast<long long>(indexed),
              seconds_since(index_start), cpu_seconds() - index_cpu);
  return bankrec::ok();
}

/// `INSERT INTO table SELECT ...` of every column, with `overrides` (column -> expression) for some.
Result<std::string> copy_select(store::Database& db, const std::string& table,
                                const std::vector<std::pair<std::string, std::string>>& overrides) {
  auto info = BANKREC_TRY(db.prepare("PRAGMA table_info(" + table + ")"));
  std::string columns, values;
  while (BANKREC_TRY(info.step())) {
    const std::string name = info.column_text(1);
    std::string value = name;
    for (const auto& [column, expression] : overrides)
      if (column == name) value = expression;
    columns += (columns.empty() ? "" : ", ") + name;
    values += (values.empty() ? "" : ", ") + value;
  }
  return "INSERT INTO " + table + "(" + columns + ") SELECT " + values + " FROM " + table;
}

std::string shifted(const std::string& column, std::int64_t days) {
  return "date(" + column + ", '-" + std::to_string(days) + " days')";
}

/// Grows a database built by build() to `target` entries by copying its files, statements, entries
/// (and their suggestions) k times, k*span days further back, in SQL: the real import
/// path runs at about 10,000 lines per CPU second here, so 10 million that way take too long on a
/// shared machine. The copies have the shapes and index positions of real rows (dates, amounts,
/// statuses, hashes vary), and the audit log grows by one entry per 20 copied lines. The copies are
/// then indexed for search by the daemon's own catch-up.
Result<void> replicate(store::Store& s, std::int64_t target) {
  const auto start = std::chrono::steady_clock::now();
  store::Database& db = s.db();
  BANKREC_TRY(db.exec("PRAGMA cache_size = -1000000"));
  const std::int64_t base_entries = BANKREC_TRY(db.query_int("SELECT max(id) FROM entries"));
  const std::int64_t base_statements = BANKREC_TRY(db.query_int("SELECT max(id) FROM statements"));
  const std::int64_t base_files = BANKREC_TRY(db.query_int("SELECT max(id) FROM source_files"));
  const std::int64_t base_matches = BANKREC_TRY(db.query_int("SELECT coalesce(max(id), 0) FROM matches"));
  const std::int64_t span = 1 + BANKREC_TRY(db.query_int(
      "SELECT CAST(julianday(max(booking_date)) - julianday(min(booking_date)) AS INTEGER) FROM entries"));
  for (std::int64_t k = 1; base_entries * (k + 1) <= target + base_entries / 2; ++k) {
    const std::int64_t days = k * span;
    const std::string e = std::to_string(k * base_entries), st = std::to_string(k * base_statements),
                      f = std::to_string(k * base_files), kk = std::to_string(k);
    auto files = BANKREC_TRY(copy_select(db, "source_files",
        {{"id", "id + " + f}, {"sha256", "printf('%02d', " + kk + ") || substr(sha256, 3)"},
         {"received_at", "strftime('%Y-%m-%dT%H:%M:%SZ', received_at, '-" + std::to_string(days) + " days')"},
         {"finished_at", "strftime('%Y-%m-%dT%H:%M:%SZ', finished_at, '-" + std::to_string(days) + " days')"}}));
    auto statements = BANKREC_TRY(copy_select(db, "statements",
        {{"id", "id + " + st}, {"source_file_id", "source_file_id + " + f}, {"statement_key", "statement_key || '#" + kk + "'"},
         {"from_date", shifted("from_date", days)}, {"to_date", shifted("to_date", days)},
         {"covers_from", shifted("covers_from", days)}, {"covers_to", shifted("covers_to", days)},
         {"opening_date", shifted("opening_date", days)}, {"closing_date", shifted("closing_date", days)}}));
    auto entries = BANKREC_TRY(copy_select(db, "entries",
        {{"id", "id + " + e}, {"statement_id", "statement_id + " + st}, {"source_file_id", "source_file_id + " + f},
         {"booking_date", shifted("booking_date", days)}, {"value_date", shifted("value_date", days)},
         {"amount_minor", "CASE WHEN amount_minor < 0 THEN amount_minor - (id * " + kk + " % 9973) ELSE amount_minor + (id * " + kk + " % 9973) END"},
         {"bank_hash", "bank_hash / 2 + " + kk}, {"content_hash", "content_hash / 2 + " + kk},
         {"bank_reference", "bank_reference || '#" + kk + "'"},
         {"status", "CASE WHEN status IN ('processed', 'review') AND id % 4 <> 0 THEN 'reconciled' ELSE status END"}}));
    auto matches = BANKREC_TRY(copy_select(db, "matches",
        {{"id", "id + " + std::to_string(k * base_matches)}, {"entry_id", "entry_id + " + e}}));
    BANKREC_TRY(s.write([&]() -> Result<void> {
      BANKREC_TRY(db.exec(files + " WHERE id <= " + std::to_string(base_files) + " ORDER BY id"));
      BANKREC_TRY(db.exec(statements + " WHERE id <= " + std::to_string(base_statements) + " ORDER BY id"));
      BANKREC_TRY(db.exec(entries + " WHERE id <= " + std::to_string(base_entries) + " ORDER BY id"));
      // Only the suggestions of copies still in review.
      BANKREC_TRY(db.exec(matches + " WHERE id <= " + std::to_string(base_matches) + " AND entry_id % 4 = 0 ORDER BY id"));
      for (std::int64_t id = k * base_entries + 20; id <= (k + 1) * base_entries; id += 20)
        BANKREC_TRY(s.audit().append({id % 3 == 0 ? "anna" : "system", "entry.reconciled", "entry", std::to_string(id),
                                      "{\"status\":\"reconciled\"}"}));
      return bankrec::ok();
    }));
    BANKREC_TRY(db.checkpoint());
    std::fprintf(stderr, "  copy %lld: %lld entries, %.0f s\n", static_cast<long long>(k),
                 static_cast<long long>((k + 1) * base_entries), seconds_since(start));
  }
  std::printf("replicated to %lld entries in %.1f s\n",
              static_cast<long long>(BANKREC_TRY(db.query_int("SELECT count(*) FROM entries"))), seconds_since(start));
  // The copies are indexed as the daemon indexes lines behind an import, so the index holds exactly
  // what search::search_text() makes of their columns (a search may test rows against it).
  const auto index_start = std::chrono::steady_clock::now();
  const double index_cpu = cpu_seconds();
  const std::int64_t indexed = BANKREC_TRY(store::ConsoleDataRepo(s).index_for_search(target * 2));
  std::printf("search index of the copies: %lld lines in %.1f s (%.1f s cpu)\n", static_cast<long long>(indexed),
              seconds_since(index_start), cpu_seconds() - index_cpu);
  return bankrec::ok();
}

Result<std::unique_ptr<store::Store>> open_store(const fs::path& dir, const Keys& keys, const bankrec::Clock& clock,
                                                 bool create);

/// What the search index adds to an import of `n` lines (CPU seconds): the text the import writes
/// (search::search_text: normalised name, IBAN and references beside the purpose the identity has
/// normalised already) and the FTS4 inserts with their COMMIT, in a fresh encrypted database.
Result<void> index_cost(const fs::path& dir, const Keys& keys, const bankrec::Clock& clock, std::int64_t n) {
  auto s = BANKREC_TRY(open_store(dir, keys, clock, /*create=*/true));
  std::vector<domain::Entry> entries;
  std::vector<std::string> purposes;
  const domain::Date day{2026, 11, 2};
  for (std::int64_t i = 0; i < n; ++i) {
    entries.push_back(make_entry(static_cast<std::uint64_t>(i), day));
    purposes.push_back(bankrec::text::normalize_for_matching(*entries.back().remittance));
  }
  double start = cpu_seconds();
  std::vector<std::string> texts;
  texts.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const domain::Entry& e = entries[i];
    std::string t = bankrec::text::normalize_for_matching(*e.counterparty.name) + ' ' + purposes[i];
    for (const auto* field : {&e.counterparty.iban, &e.bank_reference, &e.end_to_end_id})
      if (*field) t += ' ' + bankrec::text::normalize_for_matching(**field);
    texts.push_back(std::move(t));
  }
  const double text_cpu = cpu_seconds() - start;
  start = cpu_seconds();
  BANKREC_TRY(s->write([&]() -> Result<void> {
    auto q = BANKREC_TRY(s->db().prepare("INSERT INTO entry_search(docid, body) VALUES (?1, ?2)"));
    for (std::size_t i = 0; i < texts.size(); ++i)
      BANKREC_TRY(q.bind(1, static_cast<std::int64_t>(i + 1)).bind_static(2, texts[i]).run());
    return bankrec::ok();
  }));
  const double insert_cpu = cpu_seconds() - start;
  start = cpu_seconds();
  BANKREC_TRY(s->db().checkpoint());
  const double checkpoint_cpu = cpu_seconds() - start;
  std::printf("search index cost for %lld lines: text %.3f s cpu, fts4 insert+commit %.3f s cpu, checkpoint %.3f s cpu "
              "(%.2f us per line)\n",
              static_cast<long long>(n), text_cpu, insert_cpu, checkpoint_cpu,
              (text_cpu + insert_cpu + checkpoint_cpu) * 1e6 / static_cast<double>(n));
  return bankrec::ok();
}

struct Probe {
  std::string name;
  std::function<Result<std::size_t>(store::Store&)> run;  //!< returns the number of rows shown
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class T>
Result<std::size_t> size_of(Result<store::Page<T>> page) {
  if (!page) return bankrec::Unexpected{page.error()};
  return page->items.size();
}

/// The pages a console user opens, each as the store calls its API route makes.
std::vector<Probe> probes(const std::string& today, std::int64_t deep_id, std::int64_t statement_id,
                          std::int64_t entry_id) {
  using store::ConsoleDataRepo;
  std::vector<Probe> p;
  auto entries = [](store::EntryFilter f, std::string after = {}) {
    return [f, after](store::Store& s) { return size_of(ConsoleDataRepo(s).entries(f, {.limit = 50, .after = after})); };
  };
  const std::string month_ago = domain::Date::from_days(domain::parse_iso_date(today)->to_days() - 30).iso();
  p.push_back({"entries: newest first (default)", entries({})});
  p.push_back({"entries: account", entries({.account_iban = kIbans[2]})});
  p.push_back({"entries: date range (30 days)", entries({.from = month_ago, .to = today})});
  p.push_back({"entries: status=review", entries({.status = "review"})});
  p.push_back({"entries: status=error", entries({.status = "error"})});
  p.push_back({"entries: status=pending (none)", entries({.status = "pending"})});
  p.push_back({"entries: amount 100.00..100.50", entries({.min_minor = 10000, .max_minor = 10050})});
  p.push_back({"entries: account+status+range", entries({.account_iban = kIbans[1], .from = month_ago, .to = today, .status = "unmatched"})});
  p.push_back({"entries: sort booking_date asc", entries({.sort = store::EntrySort::booking_date_asc})});
  p.push_back({"entries: sort amount asc", entries({.sort = store::EntrySort::amount_asc})});
  p.push_back({"entries: sort -amount", entries({.sort = store::EntrySort::amount_desc})});
  p.push_back({"entries: page 2 by cursor", [](store::Store& s) -> Result<std::size_t> {
                 ConsoleDataRepo repo(s);
                 const auto first = BANKREC_TRY(repo.entries({}, {.limit = 50, .after = {}}));
                 return size_of(repo.entries({}, {.limit = 50, .after = first.next.value_or("")}));
               }});
  p.push_back({"entries: deep page (cursor ~1 year back)", [deep_id](store::Store& s) -> Result<std::size_t> {
                 const auto row = BANKREC_TRY(ConsoleDataRepo(s).entry(deep_id));
                 return size_of(ConsoleDataRepo(s).entries(
                     {}, {.limit = 50, .after = "v~" + row.entry.booking_date->iso() + "~" + std::to_string(deep_id)}));
               }});
  for (const char* q : {"müller", "MUELLER", "schröder hans", "weiß", "RE-2024-4711", "DE02 1203", "zählernr 123456",
                        "miete", "e2e", "zzzznotthere"})
    p.push_back({std::string("entries: search '") + q + "'", entries({.q = q})});
  // Every variant of the list with a search: sorts, filters, deep keyset pages, short words.
  for (const char* q : {"a", "kd", "gas", "miete 2024", "gehalt januar"}) p.push_back({std::string("entries: search '") + q + "'", entries({.q = q})});
  p.push_back({"entries: search 'miete' sort booking_date asc", entries({.q = "miete", .sort = store::EntrySort::booking_date_asc})});
  p.push_back({"entries: search 'miete' sort amount asc", entries({.q = "miete", .sort = store::EntrySort::amount_asc})});
  p.push_back({"entries: search 'miete' sort -amount", entries({.q = "miete", .sort = store::EntrySort::amount_desc})});
  p.push_back({"entries: search 'miete' + account", entries({.account_iban = kIbans[3], .q = "miete"})});
  p.push_back({"entries: search 'miete' + status=error", entries({.status = "error", .q = "miete"})});
  p.push_back({"entries: search 'miete' + amount 100.00..100.50", entries({.min_minor = 10000, .max_minor = 10050, .q = "miete"})});
  p.push_back({"entries: search 'müller' + account + status=review", entries({.account_iban = kIbans[1], .status = "review", .q = "müller"})});
  p.push_back({"entries: search 'zzzznotthere' + account", entries({.account_iban = kIbans[1], .q = "zzzznotthere"})});
  for (const char* q : {"miete", "müller", "RE-2024-4711", "kd"})
    p.push_back({std::string("entries: search '") + q + "' deep page (~1 year back)", [deep_id, q](store::Store& s) -> Result<std::size_t> {
                   const auto row = BANKREC_TRY(ConsoleDataRepo(s).entry(deep_id));
                   return size_of(ConsoleDataRepo(s).entries(
                       {.q = q}, {.limit = 50, .after = "v~" + row.entry.booking_date->iso() + "~" + std::to_string(deep_id)}));
                 }});
  p.push_back({"entries: search 'miete' page 5 by cursor", [](store::Store& s) -> Result<std::size_t> {
                 ConsoleDataRepo repo(s);
                 std::string after;
                 std::size_t n = 0;
                 for (int i = 0; i < 5; ++i) {
                   const auto page = BANKREC_TRY(repo.entries({.q = "miete"}, {.limit = 50, .after = after}));
                   n = page.items.size();
                   after = page.next.value_or("");
                 }
                 return n;
               }});
  p.push_back({"entries: search 'miete' + account + 30 days", entries({.account_iban = kIbans[0], .from = month_ago, .to = today, .q = "miete"})});
  p.push_back({"entries: search 'müller' sort -amount", entries({.q = "müller", .sort = store::EntrySort::amount_desc})});
  // Words common alone but rare together or bunched by date, three words, zero-hit words, and
  // searches with the filters SQLite checks row by row.
  for (const char* q : {"bäckerei müller gmbh", "miete januar 2025", "hans 4711", "qwertzuiop", "re-2031"})
    p.push_back({std::string("entries: search '") + q + "'", entries({.q = q})});
  p.push_back({"entries: search 'gehalt januar' sort booking_date asc", entries({.q = "gehalt januar", .sort = store::EntrySort::booking_date_asc})});
  p.push_back({"entries: search 'gehalt januar' + amount 0..500.00", entries({.min_minor = 0, .max_minor = 50000, .q = "gehalt januar"})});
  p.push_back({"entries: search 'schröder hans' + 30 days", entries({.from = month_ago, .to = today, .q = "schröder hans"})});
  p.push_back({"entries: search 'müller' + 30 days", entries({.from = month_ago, .to = today, .q = "müller"})});
  p.push_back({"entries: search 'müller' + status=review", entries({.status = "review", .q = "müller"})});
  p.push_back({"entries: search 'RE-2024-4711' + account", entries({.account_iban = kIbans[1], .q = "RE-2024-4711"})});
  p.push_back({"statements: newest first", [](store::Store& s) { return size_of(ConsoleDataRepo(s).statements({}, {})); }});
  p.push_back({"statements: account", [](store::Store& s) {
                 return size_of(ConsoleDataRepo(s).statements({.account_iban = kIbans[3]}, {}));
               }});
  p.push_back({"statements: status=reconciled (derived)", [](store::Store& s) {
                 return size_of(ConsoleDataRepo(s).statements({.status = "reconciled"}, {}));
               }});
  p.push_back({"statement detail + first 500 entries", [statement_id](store::Store& s) -> Result<std::size_t> {
                 ConsoleDataRepo repo(s);
                 BANKREC_TRY(repo.statement(statement_id));
                 return size_of(repo.entries({.statement_id = statement_id, .sort = store::EntrySort::booking_date_asc},
                                             {.limit = 500, .after = {}}));
               }});
  p.push_back({"entry detail + matches + audit history", [entry_id](store::Store& s) -> Result<std::size_t> {
                 ConsoleDataRepo repo(s);
                 const auto row = BANKREC_TRY(repo.entry(entry_id));
                 const auto matches = BANKREC_TRY(repo.matches_of(entry_id));
                 auto history = BANKREC_TRY(repo.audit_of("entry", std::to_string(entry_id), 100));
                 for (const auto& m : matches) BANKREC_TRY(repo.audit_of("match", std::to_string(m.id), 20));
                 BANKREC_TRY(repo.audit_of("source_file", std::to_string(row.source_file_id), 5));
                 return history.size() + 1;
               }});
  p.push_back({"audit: newest first", [](store::Store& s) { return size_of(ConsoleDataRepo(s).audit({}, {})); }});
  p.push_back({"audit: actor=anna", [](store::Store& s) { return size_of(ConsoleDataRepo(s).audit({.actor = "anna"}, {})); }});
  p.push_back({"audit: action=import.file", [](store::Store& s) {
                 return size_of(ConsoleDataRepo(s).audit({.action = "import.file"}, {}));
               }});
  p.push_back({"audit: object=entry:<id>", [entry_id](store::Store& s) {
                 return size_of(ConsoleDataRepo(s).audit({.object = "entry:" + std::to_string(entry_id)}, {}));
               }});
  p.push_back({"audit: time range (one day, a year ago)", [today](store::Store& s) {
                 const std::string day = domain::Date::from_days(domain::parse_iso_date(today)->to_days() - 365).iso();
                 return size_of(ConsoleDataRepo(s).audit({.from = day, .to = day}, {}));
               }});
  p.push_back({"dashboard (all aggregates)", [today](store::Store& s) -> Result<std::size_t> {
                 const auto d = BANKREC_TRY(ConsoleDataRepo(s).dashboard(today));
                 return d.balance_history.size() + d.auto_rate.size();
               }});
  p.push_back({"review queue: first page (50)", [](store::Store& s) -> Result<std::size_t> {
                 const auto ids = BANKREC_TRY(store::ConsoleAdminRepo(s).review_ids(0, "", 50));
                 store::ReconcileRepo reconcile(s);
                 for (const auto id : ids) BANKREC_TRY(reconcile.review_entry(id));
                 BANKREC_TRY(store::ConsoleAdminRepo(s).entry_summaries(ids));
                 return ids.size();
               }});
  p.push_back({"review queue: account filter", [](store::Store& s) -> Result<std::size_t> {
                 const auto ids = BANKREC_TRY(store::ConsoleAdminRepo(s).review_ids(0, kIbans[4], 50));
                 return ids.size();
               }});
  p.push_back({"errors / jobs / alerts lists", [](store::Store& s) -> Result<std::size_t> {
                 ConsoleDataRepo repo(s);
                 BANKREC_TRY(repo.errors(std::nullopt, {}));
                 BANKREC_TRY(repo.jobs(std::nullopt, {}));
                 return size_of(repo.alerts(true, {}));
               }});
  return p;
}

Result<std::unique_ptr<store::Store>> open_store(const fs::path& dir, const Keys& keys, const bankrec::Clock& clock,
                                                 bool create) {
  store::StoreOptions options;
  options.open.create = create;
  return store::Store::open(dir / "bankrec.db", keys.key, keys.signing, clock, nullptr, options);
}

int run(int argc, char** argv) {
  std::int64_t entries = 10'000'000;
  fs::path dir;
  bool reuse = false, build_only = false;
  std::int64_t replicate_to = 0, index_cost_lines = 0;
  std::string only;  // --only TEXT: the queries whose name contains TEXT
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--entries" && i + 1 < argc) entries = std::atoll(argv[++i]);
    else if (arg == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (arg == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--days" && i + 1 < argc) kDays = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--reuse") reuse = true;
    else if (arg == "--only" && i + 1 < argc) only = argv[++i];
    else if (arg == "--index-cost" && i + 1 < argc) index_cost_lines = std::atoll(argv[++i]);
    else if (arg == "--replicate-to" && i + 1 < argc) replicate_to = std::atoll(argv[++i]);
    else if (arg == "--build-only") build_only = true;
    else if (arg == "--search-tuning" && i + 1 < argc) {
      // FEW,DENSE,BUDGET[,FORCE] (entry_search.h Tuning: few_lines, dense_tests, walk_budget; FORCE
      // the index of a search::Force: 1 by_hits, 2 by_rarest, 3 walk, 4 materialise,
      // 5 materialise_rarest). "0,0,0,1" reads every search's hits by id.
      auto& t = store::search::tuning();
      int force = 0;
      if (std::sscanf(argv[++i], "%ld,%ld,%ld,%d", &t.few_lines, &t.dense_tests, &t.walk_budget, &force) < 3)
        return 2;
      t.force = static_cast<store::search::Force>(force);
    }
    else {
      std::fprintf(stderr, "usage: bench_console_pages [--entries N] [--dir DIR] [--reuse] [--runs R] [--days D] [--replicate-to N] [--index-cost N] [--only TEXT] [--build-only] [--search-tuning FEW,DENSE,BUDGET[,FORCE]]\n");
      return 2;
    }
  }
  const bool temp = dir.empty();
  if (temp) dir = fs::temp_directory_path() / ("bankrec-console-bench-" + std::to_string(::getpid()));
  const bankrec::SystemClock clock;
  const auto days = std::chrono::floor<std::chrono::days>(clock.now()).time_since_epoch().count();
  const domain::Date today = domain::Date::from_days(days);
  int status = 0;
  [&] {
    auto keys = keys_in(dir);
    if (!keys) return std::fprintf(stderr, "keys: %s\n", keys.error().describe().c_str()), status = 1, void();
    if (index_cost_lines > 0) {
      if (auto r = index_cost(dir, *keys, clock, index_cost_lines); !r)
        std::fprintf(stderr, "index cost: %s\n", r.error().describe().c_str()), status = 1;
      return;
    }
    const bool exists = fs::exists(dir / "bankrec.db");
    if (exists && !reuse) return std::fprintf(stderr, "%s exists (pass --reuse)\n", (dir / "bankrec.db").c_str()), status = 1, void();
    if (!exists) {
      auto s = open_store(dir, *keys, clock, /*create=*/true);
      if (!s) return std::fprintf(stderr, "open: %s\n", s.error().describe().c_str()), status = 1, void();
      if (auto b = build(**s, entries, today); !b)
        return std::fprintf(stderr, "build: %s\n", b.error().describe().c_str()), status = 1, void();
    }
    if (replicate_to > 0) {
      auto grow = open_store(dir, *keys, clock, /*create=*/false);
      if (!grow) return std::fprintf(stderr, "open: %s\n", grow.error().describe().c_str()), status = 1, void();
      if (auto r = replicate(**grow, replicate_to); !r)
        return std::fprintf(stderr, "replicate: %s\n", r.error().describe().c_str()), status = 1, void();
    }
    std::printf("database %s: %.2f GB\n", (dir / "bankrec.db").c_str(),
                static_cast<double>(fs::file_size(dir / "bankrec.db")) / 1e9);
    if (build_only) return;
    auto s = open_store(dir, *keys, clock, /*create=*/false);
    if (!s) return std::fprintf(stderr, "open: %s\n", s.error().describe().c_str()), status = 1, void();
    const auto max_id = (*s)->db().query_int("SELECT max(id) FROM entries");
    const auto total = (*s)->db().query_int("SELECT count(*) FROM entries");
    const auto audit = (*s)->db().query_int("SELECT max(seq) FROM audit_log");
    const auto stmt = (*s)->db().query_int("SELECT max(id) FROM statements");
    if (!max_id || !total || !audit || !stmt) return std::fprintf(stderr, "empty database\n"), status = 1, void();
    std::printf("%lld entries, %lld statements, %lld audit entries\n", static_cast<long long>(*total),
                static_cast<long long>(*stmt), static_cast<long long>(*audit));
    const auto deep = (*s)->db().query_int("SELECT id FROM entries WHERE booking_date <= date('now', '-365 days') ORDER BY booking_date DESC LIMIT 1");
    const std::int64_t deep_id = deep ? *deep : *max_id / 2;
    const auto list = probes(today.iso(), deep_id, *stmt / 2, *max_id / 3);
    s->reset();
    std::printf("%-48s %9s %9s %6s\n", "query (page of 50 unless noted)", "cold ms", "warm ms", "rows");
    for (const auto& probe : list) {
      if (!only.empty() && probe.name.find(only) == std::string::npos) continue;
      auto fresh = open_store(dir, *keys, clock, /*create=*/false);
      if (!fresh) return std::fprintf(stderr, "open: %s\n", fresh.error().describe().c_str()), status = 1, void();
      auto t0 = std::chrono::steady_clock::now();
      const auto rows = probe.run(**fresh);
      const double cold = seconds_since(t0) * 1000;
      if (!rows) {
        std::fprintf(stderr, "%s: %s\n", probe.name.c_str(), rows.error().describe().c_str());
        status = 1;
        continue;
      }
      std::vector<double> warm;
      for (int r = 0; r < runs; ++r) {
        t0 = std::chrono::steady_clock::now();
        (void)probe.run(**fresh);
        warm.push_back(seconds_since(t0) * 1000);
      }
      std::printf("%-48s %9.1f %9.1f %6zu\n", probe.name.c_str(), cold, median(warm), *rows);
      std::fflush(stdout);
    }
  }();
  if (temp) fs::remove_all(dir);
  return status;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
