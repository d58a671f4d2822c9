#include "bankrec/store/import_writer.h"

#include <charconv>
#include <chrono>
#include <cstring>
#include <vector>

#include "bankrec/base/check.h"
#include "bankrec/base/text.h"
#include "bankrec/domain/json.h"
#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/entry_row.h"
#include "bankrec/store/identity.h"
#include "date_text.h"
#include "entry_codec.h"

namespace bankrec::store {
namespace {

using domain::json_quote;

std::optional<std::string> date_opt(const std::optional<domain::Date>& d) {
  return d ? std::optional<std::string>(d->iso()) : std::nullopt;
}

std::string account_key_of(const domain::Account& a) {
  const std::string currency = a.currency.value_or("");
  if (a.iban) return a.iban.value() + "|" + currency;
  if (a.number) return "acct:" + a.bank_code.value_or("") + "/" + *a.number + "|" + currency;
  return "unidentified|" + currency;
}

std::string account_label(const domain::Account& a) {
  if (a.iban) return *a.iban;
  if (a.number) return a.bank_code ? *a.bank_code + "/" + *a.number : *a.number;
  return "(unidentified account)";
}

/// Leading decimal number of a statement sequence ("00042", "42/1" -> 42); nullopt otherwise.
std::optional<long> sequence_number(const std::optional<std::string>& sequence) {
  if (!sequence || sequence->empty()) return std::nullopt;
  long value = 0;
  const auto* first = sequence->data();
  const auto [end, ec] = std::from_chars(first, first + sequence->size(), value);
  if (ec != std::errc() || end == first) return std::nullopt;
  return value;
}

std::optional<domain::Date> first_date(const domain::Statement& h) {
  if (h.opening_balance && h.opening_balance->date) return h.opening_balance->date;
  if (h.from_date) return h.from_date;
  return h.to_date;
}

bool similar_text(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty();
  const auto n = std::min(a.size(), b.size());
  return a.compare(0, n, b, 0, n) == 0;
}

/// Expires open pending lines with expires_on before `today`, or (with `dated_before`) a booking
/// or value date before it; one audit entry with the count and the first ids, in one transaction.
Result<std::int64_t> expire_pending_before(Store& store, const std::string& today,
                                           const std::optional<std::string>& dated_before,
                                           std::string_view actor) {
  constexpr std::size_t kIdsInAudit = 100;
  std::int64_t expired = 0;
  BANKREC_TRY(store.write([&]() -> Result<void> {
    Query find = BANKREC_TRY(
        store.db().prepare("SELECT id FROM entries WHERE provisional = 'open' AND (expires_on < ?1 OR "
                           "(?2 IS NOT NULL AND COALESCE(booking_date, value_date) < ?2)) ORDER BY id"));
    find.bind(1, today).bind(2, dated_before);
    std::string ids;
    std::size_t listed = 0;
    while (BANKREC_TRY(find.step())) {
      ++expired;
      if (listed++ < kIdsInAudit) ids += (ids.empty() ? "" : ",") + std::to_string(find.column_int(0));
    }
    find.reset();
    if (expired == 0) return ok();
    Query update = BANKREC_TRY(store.db().prepare(
        "UPDATE entries SET provisional = 'expired' WHERE provisional = 'open' AND (expires_on < ?1 OR "
        "(?2 IS NOT NULL AND COALESCE(booking_date, value_date) < ?2))"));
    BANKREC_TRY(update.bind(1, today).bind(2, dated_before).run());
    BANKREC_CHECK(store.db().changes() == expired, "pending lines changed inside the write transaction");
    std::string details = "{\"expired\":" + std::to_string(expired) + ",\"before\":\"" + today + "\"";
    if (dated_before) details += ",\"dated_before\":\"" + *dated_before + "\"";
    details += ",\"ids\":[" + ids + "]" +
               (static_cast<std::size_t>(expired) > kIdsInAudit ? ",\"ids_truncated\":true" : "") + "}";
    BANKREC_TRY(store.audit().append({std::string(actor), "entries.expire_pending", "entry", "*", details}));
    return ok();
  }));
  return expired;
}

// --- Originals (issue 8): the file's bytes beside its rows, in the caller's transaction. ---

/// Keeps `file.original` in file_originals (INSERT OR IGNORE: once per content); nothing when unset.
Result<void> keep_original_of(Store& store, const SourceFileInfo& file) {
  if (!file.original) return ok();
  return ConsoleDataRepo(store).keep_original(file.sha256, *file.original, file.actor);
}

/// Open addressing with linear probing over a power-of-two array, grown at 70% load: one slot per
/// line of the import without the node allocation (and the free of each at the end) of
/// std::unordered_map, which cost more than the hashing.
template <class Key, class Value>
class FlatTable {
 public:
  /// The value of `key` (value-initialised when new); `hash` must depend only on the key.
  Value& find_or_add(const Key& key, std::uint64_t hash) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    Slot& s = probe(key, hash);
    if (!s.used) {
      s = Slot{key, Value{}, hash, true};
      ++size_;
    }
    return s.value;
  }
  bool contains(const Key& key, std::uint64_t hash) const {
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      if (!slots_[i].used) return false;
      if (slots_[i].hash == hash && slots_[i].key == key) return true;
    }
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
    std::uint64_t hash = 0;
    bool used = false;
  };
  Slot& probe(const Key& key, std::uint64_t hash) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used || (s.hash == hash && s.key == key)) return s;
    }
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    for (Slot& s : old)
      if (s.used) probe(s.key, s.hash) = std::move(s);
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

/// Mixes the words of a key into a 64-bit hash (the keys hold BLAKE2b output already, so this only
/// has to spread them over the table).
template <std::size_t N>
std::uint64_t mix_words(const std::array<char, N>& bytes) {
  static_assert(N % 8 == 0);
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < N; i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
  }
  return h;
}

}  // namespace

const char* file_source_name(FileSource source) {
  switch (source) {
    case FileSource::upload:
      return "upload";
    case FileSource::inbox:
      return "inbox";
    case FileSource::api:
      return "api";
    case FileSource::cli:
      return "cli";
  }
  return "cli";
}

struct ImportWriter::Seen {
  FlatTable<OccurrenceKey, int> occurrences;
  FlatTable<std::uint64_t, bool> bank_hashes;
};

struct ImportWriter::Statements {
  Query find_bank, find_position, find_content_any, find_content_unkeyed, insert_entry, insert_skip,
      find_pending, replace_pending;
  // Scratch reused for every entry.
  DateTextCache dates;
  std::string rest;
};

ImportWriter::ImportWriter(Store& store, SourceFileInfo file, ImportOptions options)
    : store_(store), file_(std::move(file)), options_(options), seen_(std::make_unique<Seen>()) {}

ImportWriter::~ImportWriter() {
  store_.db().set_auto_checkpoint(/*on=*/true);
  if (transaction_) {
    transaction_->rollback();
    store_.audit().discard_pending();
  }
}

Result<std::unique_ptr<ImportWriter>> ImportWriter::begin(Store& store, const SourceFileInfo& file,
                                                          const ImportOptions& options) {
  std::unique_ptr<ImportWriter> w(new ImportWriter(store, file, options));
  Database& db = store.db();
  const auto now = store.clock().now();
  w->now_ = utc_timestamp(now);
  w->today_ = domain::Date::from_days(std::chrono::floor<std::chrono::days>(now).time_since_epoch().count());
  // The checkpoint that copies this import's pages into the database file runs after it (next
  // commit, Store::checkpoint() or close), not inside its COMMIT; the COMMIT still fsyncs the WAL.
  db.set_auto_checkpoint(/*on=*/false);
  w->transaction_.emplace(BANKREC_TRY(Transaction::begin(db)));
  Query insert = BANKREC_TRY(
      db.prepare("INSERT INTO source_files(sha256, name, size, source, actor, received_at, status) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'pending')"));
  insert.bind(1, file.sha256).bind(2, file.name).bind(3, static_cast<std::int64_t>(file.size));
  insert.bind(4, file_source_name(file.source)).bind(5, file.actor).bind(6, w->now_);
  BANKREC_TRY(insert.run());
  w->file_id_ = db.last_insert_rowid();
  // Hash hits are confirmed on the stored row: its keys are recomputed from read_entry().
  const std::string cols(kEntryColumns);
  w->q_ = std::make_unique<Statements>(Statements{
      BANKREC_TRY(db.prepare("SELECT " + cols +
                             ", e.id FROM entries e WHERE e.account_id = ?1 AND e.bank_hash = ?2")),
      BANKREC_TRY(
          db.prepare("SELECT id FROM entries WHERE statement_id = ?1 AND entry_index = ?2 AND booking = ?3")),
      BANKREC_TRY(
          db.prepare("SELECT " + cols +
                     ", e.id, e.occurrence FROM entries e WHERE e.account_id = ?1 AND e.content_hash = ?2 "
                     "AND e.bank_hash IS NULL UNION ALL SELECT " +
                     cols +
                     ", e.id, e.occurrence FROM entries e WHERE e.account_id = ?1 AND e.content_hash = ?2 "
                     "AND e.bank_hash IS NOT NULL")),
      BANKREC_TRY(
          db.prepare("SELECT " + cols +
                     ", e.id, e.occurrence FROM entries e WHERE e.account_id = ?1 AND e.content_hash = ?2 "
                     "AND e.bank_hash IS NULL")),
      BANKREC_TRY(db.prepare(
          "INSERT INTO entries(account_id, statement_id, source_file_id, entry_index, booking, provisional, "
          "expires_on, booking_date, value_date, amount_minor, currency, bank_hash, content_hash, "
          "occurrence, "
          "bank_reference, end_to_end_id, counterparty_name, counterparty_iban, rest) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)")),
      BANKREC_TRY(db.prepare(
          "INSERT INTO entry_skips(source_file_id, statement_id, entry_index, tier, key, existing_entry_id, "
          "amount_minor, currency, booking_date) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")),
      BANKREC_TRY(db.prepare("SELECT " + cols +
                             ", e.id FROM entries e WHERE e.account_id = ?1 "
                             "AND e.provisional = 'open' AND e.amount_minor = ?2 AND e.currency = ?3 "
                             "AND COALESCE(e.booking_date, e.value_date, '') BETWEEN ?4 AND ?5 "
                             "ORDER BY e.id LIMIT 20")),
      BANKREC_TRY(db.prepare("UPDATE entries SET provisional = 'replaced', replaced_by = ?1 WHERE id = ?2")),
  });
  return w;
}

Result<void> ImportWriter::set_format(std::string_view format) {
  format_ = format;
  return ok();
}

Result<std::int64_t> ImportWriter::account_id(const domain::Account& a) {
  const std::string key = account_key_of(a);
  if (const auto it = accounts_.find(key); it != accounts_.end()) return it->second;
  Database& db = store_.db();
  Query find = BANKREC_TRY(db.prepare("SELECT id FROM accounts WHERE account_key = ?1"));
  find.bind(1, key);
  std::int64_t id = 0;
  if (BANKREC_TRY(find.step())) {
    id = find.column_int(0);
  } else {
    Query insert =
        BANKREC_TRY(db.prepare("INSERT INTO accounts(account_key, iban, bic, number, bank_code, currency, "
                               "owner, name, servicer, created_at) "
                               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    insert.bind(1, key)
        .bind(2, a.iban)
        .bind(3, a.bic)
        .bind(4, a.number)
        .bind(5, a.bank_code)
        .bind(6, a.currency);
    insert.bind(7, a.owner).bind(8, a.name).bind(9, a.servicer).bind(10, now_);
    BANKREC_TRY(insert.run());
    id = db.last_insert_rowid();
  }
  accounts_.emplace(key, id);
  return id;
}

Result<void> ImportWriter::begin_statement(const domain::Statement& header) {
  Database& db = store_.db();
  header_ = header;
  account_id_ = BANKREC_TRY(account_id(header.account));
  next_index_ = 0;
  first_line_date_.reset();
  last_line_date_.reset();
  statement_new_entries_ = 0;
  ++statement_ordinal_;
  // Computed once here, not for every entry: its entries' tier-2 keys start with it.
  statement_key_ = statement_key(header);
  const std::string key =
      statement_key_.value_or("file:" + file_.sha256 + "#" + std::to_string(statement_ordinal_));
  Query find =
      BANKREC_TRY(db.prepare("SELECT id FROM statements WHERE account_id = ?1 AND statement_key = ?2"));
  find.bind(1, account_id_).bind(2, key);
  statement_repeat_ = BANKREC_TRY(find.step());
  if (statement_repeat_) {
    statement_id_ = find.column_int(0);
  } else {
    Query insert = BANKREC_TRY(db.prepare(
        "INSERT INTO statements(account_id, source_file_id, statement_key, bank_statement_id, sequence, "
        "created_at, "
        "from_date, to_date, currency, header_json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '{}')"));
    insert.bind(1, account_id_).bind(2, file_id_).bind(3, key).bind(4, header.id).bind(5, header.sequence);
    insert.bind(6, header.created_at).bind(7, date_opt(header.from_date)).bind(8, date_opt(header.to_date));
    insert.bind(9, header.account.currency);
    BANKREC_TRY(insert.run());
    statement_id_ = db.last_insert_rowid();
    ++counts_.statements;
  }
  Query pending = BANKREC_TRY(
      db.prepare("SELECT EXISTS(SELECT 1 FROM entries WHERE account_id = ?1 AND provisional = 'open')"));
  pending.bind(1, account_id_);
  account_has_pending_ = BANKREC_TRY(pending.step()) && pending.column_int(0) != 0;
  Query unkeyed = BANKREC_TRY(
      db.prepare("SELECT EXISTS(SELECT 1 FROM entries WHERE account_id = ?1 AND bank_hash IS NULL)"));
  unkeyed.bind(1, account_id_);
  account_has_unkeyed_ = BANKREC_TRY(unkeyed.step()) && unkeyed.column_int(0) != 0;
  // Whether the account held entries before this import, asked once per account and import.
  if (const auto it = account_fresh_.find(account_id_); it != account_fresh_.end()) {
    account_fresh_now_ = it->second;
  } else {
    Query any = BANKREC_TRY(db.prepare("SELECT EXISTS(SELECT 1 FROM entries WHERE account_id = ?1)"));
    any.bind(1, account_id_);
    account_fresh_now_ = !(BANKREC_TRY(any.step()) && any.column_int(0) != 0);
    account_fresh_.emplace(account_id_, account_fresh_now_);
  }
  return ok();
}

Result<void> ImportWriter::add_entries(std::vector<domain::Entry>& batch) {
  for (auto& entry : batch) BANKREC_TRY(store_entry(entry));
  return ok();
}

Result<std::optional<std::int64_t>> ImportWriter::find_pending_twin(const domain::Entry& e,
                                                                    const std::string& remittance) {
  const auto date = e.booking_date ? e.booking_date : e.value_date;
  if (!date) return std::optional<std::int64_t>();
  Query& q = q_->find_pending;
  q.bind(1, account_id_).bind(2, e.amount.minor()).bind(3, e.amount.currency().str());
  q.bind(4, date->add_days(-options_.pending_match_days).iso())
      .bind(5, date->add_days(options_.pending_match_days).iso());
  std::optional<std::int64_t> by_text;
  std::optional<std::int64_t> found;
  while (BANKREC_TRY(q.step())) {
    const std::int64_t id = q.column_int(kEntryColumnCount);
    // A provider link (the same bank reference) wins; else the first line with similar purpose text.
    const domain::Entry pending = BANKREC_TRY(read_entry(q, 0));
    if (e.bank_reference && pending.bank_reference == e.bank_reference) {
      found = id;
      break;
    }
    if (!by_text && similar_text(remittance_norm_of(pending), remittance)) by_text = id;
  }
  q.reset();
  return found ? found : by_text;
}

Result<std::int64_t> ImportWriter::find_existing(const EntryIdentity& id, const std::string& content,
                                                 int occurrence, std::int64_t bank_hash,
                                                 std::int64_t content_hash, domain::EntryStatus status,
                                                 std::size_t index, const char*& tier, std::string& key) {
  // Compare on the strongest tier both sides have (README.md): bank ids, else position, else content.
  // Indexes hold 64-bit hashes; a hit counts only when the stored row gives the same key.
  auto lookup_bank = [&](Query& q) -> Result<std::int64_t> {
    q.bind(1, account_id_).bind(2, bank_hash);
    std::int64_t found = 0;
    while (found == 0 && BANKREC_TRY(q.step())) {
      const domain::Entry stored = BANKREC_TRY(read_entry(q, 0));
      if (bank_key_of(stored) == id.bank_key) found = q.column_int(kEntryColumnCount);
    }
    q.reset();
    return found;
  };
  auto lookup_content = [&](Query& q) -> Result<std::int64_t> {
    q.bind(1, account_id_).bind(2, content_hash);
    std::int64_t found = 0;
    while (found == 0 && BANKREC_TRY(q.step())) {
      if (q.column_int(kEntryColumnCount + 1) != occurrence) continue;
      const domain::Entry stored = BANKREC_TRY(read_entry(q, 0));
      if (content_base_of(stored, remittance_norm_of(stored)) == id.content_base)
        found = q.column_int(kEntryColumnCount);
    }
    q.reset();
    return found;
  };
  // An account without entries before this import can only hold this import's own lines. Their
  // content keys are pairwise different (the occurrence number counts every line of the import with
  // the same content), so a content lookup cannot hit; a bank key can repeat within the file, so
  // its lookup runs whenever this import stored a line with the same (account, bank hash) already.
  // Both skips give exactly the lookups' answers, without the queries.
  const bool fresh = account_fresh_now_;
  std::int64_t existing = 0;
  if (id.bank_key) {
    const std::uint64_t seen_slot = bank_hash_slot(account_id_, bank_hash);
    if (!fresh || seen_->bank_hashes.contains(seen_slot, seen_slot * 0x9E3779B97F4A7C15ULL >> 7))
      existing = BANKREC_TRY(lookup_bank(q_->find_bank));
    if (existing != 0) {
      tier = "bank";
      key = *id.bank_key;
      return existing;
    }
    if (account_has_unkeyed_ && !fresh) existing = BANKREC_TRY(lookup_content(q_->find_content_unkeyed));
  } else {
    // Tier 2 needs a statement that was stored before: a new statement row has no entries yet.
    if (id.position_key && statement_repeat_) {
      Query& q = q_->find_position;
      q.bind(1, statement_id_)
          .bind(2, static_cast<std::int64_t>(index))
          .bind(3, domain::entry_status_name(status));
      if (BANKREC_TRY(q.step())) existing = q.column_int(0);
      q.reset();
      if (existing != 0) {
        tier = "position";
        key = *id.position_key;
        return existing;
      }
    }
    if (!fresh) existing = BANKREC_TRY(lookup_content(q_->find_content_any));
  }
  if (existing != 0) {
    tier = "content";
    key = content;
  }
  return existing;
}

Result<void> ImportWriter::store_entry(domain::Entry& e) {
  const std::size_t index = next_index_++;
  const EntryIdentity id = compute_identity(statement_key_, index, e);
  OccurrenceKey slot;
  BANKREC_CHECK(id.content_base.size() + sizeof account_id_ <= slot.bytes.size(),
                "content key longer than expected");
  std::memcpy(slot.bytes.data(), &account_id_, sizeof account_id_);
  std::memcpy(slot.bytes.data() + sizeof account_id_, id.content_base.data(), id.content_base.size());
  const int occurrence = ++seen_->occurrences.find_or_add(slot, mix_words(slot.bytes));
  const std::string content = content_key(id.content_base, occurrence);
  // Each key's 64-bit hash is computed once, for the lookups and the insert.
  const std::int64_t bank_hash = id.bank_key ? key_hash(*id.bank_key) : 0;
  const std::int64_t content_hash = key_hash(content);
  const char* tier = nullptr;
  std::string collided;
  const std::int64_t existing = BANKREC_TRY(
      find_existing(id, content, occurrence, bank_hash, content_hash, e.status, index, tier, collided));

  const auto booking = e.booking_date ? e.booking_date : e.value_date;
  if (booking) {
    if (!first_line_date_ || *booking < *first_line_date_) first_line_date_ = booking;
    if (!last_line_date_ || *last_line_date_ < *booking) last_line_date_ = booking;
  }
  const std::string_view booking_text = booking ? q_->dates.text(*booking) : std::string_view();
  if (existing != 0) {
    Query& s = q_->insert_skip;
    s.bind(1, file_id_).bind(2, statement_id_).bind(3, static_cast<std::int64_t>(index)).bind(4, tier);
    s.bind(5, collided).bind(6, existing).bind(7, e.amount.minor()).bind(8, e.amount.currency().str());
    if (booking)
      s.bind(9, booking_text);
    else
      s.bind_null(9);
    BANKREC_TRY(s.run());
    ++counts_.entries_skipped;
    return ok();
  }

  const bool pending = e.status == domain::EntryStatus::pending;
  const std::string& remittance = id.remittance_norm;
  Query& q = q_->insert_entry;
  // Values bound without a copy stay alive until run(): the entry, `id`, and q_'s buffers.
  q.bind(1, account_id_).bind(2, statement_id_).bind(3, file_id_).bind(4, static_cast<std::int64_t>(index));
  q.bind_static(5, domain::entry_status_name(e.status));
  if (pending) {
    q.bind(6, "open").bind(7,
                           q_->dates.text(booking.value_or(today_).add_days(options_.pending_expiry_days)));
  } else {
    q.bind_null(6).bind_null(7);
  }
  if (e.booking_date)
    q.bind(8, q_->dates.text(*e.booking_date));
  else
    q.bind_null(8);
  if (e.value_date)
    q.bind(9, q_->dates.text(*e.value_date));
  else
    q.bind_null(9);
  q.bind(10, e.amount.minor()).bind(11, e.amount.currency().str());
  if (id.bank_key)
    q.bind(12, bank_hash);
  else
    q.bind_null(12);
  q.bind(13, content_hash).bind(14, static_cast<std::int64_t>(occurrence));
  auto bind_opt = [&q](int column, const std::optional<std::string>& value) {
    if (value)
      q.bind_static(column, *value);
    else
      q.bind_null(column);
  };
  bind_opt(15, e.bank_reference);
  bind_opt(16, e.end_to_end_id);
  bind_opt(17, e.counterparty.name);
  bind_opt(18, e.counterparty.iban);
  q_->rest.clear();
  encode_entry_rest(e, q_->rest);
  q.bind_blob_static(19, q_->rest);
  BANKREC_TRY(q.run());
  const std::int64_t new_id = store_.db().last_insert_rowid();
  ++counts_.entries_new;
  ++statement_new_entries_;

  if (e.status == domain::EntryStatus::booked && account_has_pending_) {
    if (const auto twin = BANKREC_TRY(find_pending_twin(e, remittance))) {
      BANKREC_TRY(q_->replace_pending.bind(1, new_id).bind(2, *twin).run());
      ++counts_.pending_replaced;
    }
  }
  if (pending) account_has_pending_ = true;
  if (!id.bank_key) account_has_unkeyed_ = true;
  if (id.bank_key && account_fresh_now_) {
    const std::uint64_t seen_slot = bank_hash_slot(account_id_, bank_hash);
    seen_->bank_hashes.find_or_add(seen_slot, seen_slot * 0x9E3779B97F4A7C15ULL >> 7) = true;
  }
  return ok();
}

Result<void> ImportWriter::end_statement(const domain::Statement& header) {
  Database& db = store_.db();
  if (statement_repeat_) {
    Query update =
        BANKREC_TRY(db.prepare("UPDATE statements SET entry_count = entry_count + ?1 WHERE id = ?2"));
    BANKREC_TRY(update.bind(1, statement_new_entries_).bind(2, statement_id_).run());
    return ok();
  }
  domain::Statement stored = header;
  stored.entries.clear();
  Query update =
      BANKREC_TRY(db.prepare("UPDATE statements SET from_date = ?1, to_date = ?2, opening_minor = ?3, "
                             "opening_date = ?4, closing_minor = ?5, "
                             "closing_date = ?6, entry_count = ?7, header_json = ?8, currency = "
                             "COALESCE(currency, ?9) WHERE id = ?10"));
  update.bind(1, date_opt(header.from_date)).bind(2, date_opt(header.to_date));
  if (header.opening_balance)
    update.bind(3, header.opening_balance->amount.minor()).bind(4, date_opt(header.opening_balance->date));
  else
    update.bind_null(3).bind_null(4);
  if (header.closing_balance)
    update.bind(5, header.closing_balance->amount.minor()).bind(6, date_opt(header.closing_balance->date));
  else
    update.bind_null(5).bind_null(6);
  update.bind(7, static_cast<std::int64_t>(next_index_)).bind(8, domain::to_json(stored));
  if (header.opening_balance)
    update.bind(9, header.opening_balance->amount.currency().str());
  else
    update.bind_null(9);
  BANKREC_TRY(update.bind(10, statement_id_).run());
  BANKREC_TRY(check_continuity(header));
  return compare_sources(header);
}

Result<void> ImportWriter::add_reject(std::uint32_t line, std::uint32_t column, std::uint64_t byte,
                                      std::string_view locator, std::string_view reason) {
  Query insert = BANKREC_TRY(store_.db().prepare(
      "INSERT INTO parse_rejects(source_file_id, line, column_number, byte_offset, locator, reason) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  insert.bind(1, file_id_);
  if (line > 0)
    insert.bind(2, static_cast<std::int64_t>(line)).bind(3, static_cast<std::int64_t>(column));
  else
    insert.bind_null(2).bind_null(3);
  insert.bind(4, static_cast<std::int64_t>(byte));
  if (locator.empty())
    insert.bind_null(5);
  else
    insert.bind(5, locator);
  BANKREC_TRY(insert.bind(6, reason).run());
  ++counts_.rejected;
  return ok();
}

Result<void> ImportWriter::add_warning(const char* kind, const std::string& message, const std::string& from,
                                       const std::string& to) {
  Query insert = BANKREC_TRY(store_.db().prepare(
      "INSERT INTO account_warnings(account_id, statement_id, kind, message, missing_from, missing_to, "
      "created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  insert.bind(1, account_id_).bind(2, statement_id_).bind(3, kind).bind(4, message).bind(5, from).bind(6, to);
  BANKREC_TRY(insert.bind(7, now_).run());
  counts_.warnings.push_back(account_label(header_.account) + ": " + message);
  return ok();
}

Result<void> ImportWriter::check_continuity(const domain::Statement& h) {
  const auto start = first_date(h);
  if (!start || !h.opening_balance) return ok();
  Database& db = store_.db();
  Query prev = BANKREC_TRY(db.prepare(
      "SELECT id, sequence, closing_minor, COALESCE(closing_date, to_date) AS end_date FROM statements "
      "WHERE account_id = ?1 AND id <> ?2 AND closing_minor IS NOT NULL AND COALESCE(closing_date, to_date) "
      "<= ?3 "
      "ORDER BY end_date DESC, id DESC LIMIT 1"));
  prev.bind(1, account_id_).bind(2, statement_id_).bind(3, start->iso());
  if (!BANKREC_TRY(prev.step())) return ok();
  const std::int64_t prev_closing = prev.column_int(2);
  const std::string prev_end = prev.column_text(3);
  const auto prev_seq =
      sequence_number(prev.column_is_null(1) ? std::nullopt : std::optional(prev.column_text(1)));
  const auto this_seq = sequence_number(h.sequence);
  const auto& currency = h.opening_balance->amount.currency();

  auto warn = [&](const char* kind, const std::string& message, const std::string& from,
                  const std::string& to) { return add_warning(kind, message, from, to); };
  if (prev_closing != h.opening_balance->amount.minor()) {
    const auto prev_date = domain::parse_iso_date(prev_end);
    std::string from = prev_date ? prev_date->add_days(1).iso() : prev_end;
    std::string to = start->add_days(-1).iso();
    if (to < from) to = from = start->iso();
    BANKREC_TRY(warn("balance_gap",
                     "opening balance " + h.opening_balance->amount.to_string() + " " +
                         std::string(currency.str()) + " on " + start->iso() +
                         " differs from the previous closing balance " +
                         domain::format_minor(prev_closing, currency.exponent) + " on " + prev_end +
                         "; statements for " + from + ".." + to + " may be missing",
                     from, to));
  }
  if (prev_seq && this_seq && *this_seq > *prev_seq + 1)
    BANKREC_TRY(warn("sequence_gap",
                     "statement sequence jumps from " + std::to_string(*prev_seq) + " to " +
                         std::to_string(*this_seq) + ": statements " + std::to_string(*prev_seq + 1) + ".." +
                         std::to_string(*this_seq - 1) + " are missing",
                     std::to_string(*prev_seq + 1), std::to_string(*this_seq - 1)));
  return ok();
}

Result<ImportResult> ImportWriter::commit() {
  BANKREC_CHECK(transaction_.has_value(), "import already finished");
  Database& db = store_.db();
  Query update = BANKREC_TRY(db.prepare(
      "UPDATE source_files SET status = 'processed', format = ?1, finished_at = ?2, statements = ?3, "
      "entries_new = ?4, entries_skipped = ?5, rejected = ?7 WHERE id = ?6"));
  update.bind(7, counts_.rejected);
  update.bind(1, format_).bind(2, utc_timestamp(store_.clock().now())).bind(3, counts_.statements);
  BANKREC_TRY(update.bind(4, counts_.entries_new).bind(5, counts_.entries_skipped).bind(6, file_id_).run());
  const std::string details = "{\"name\":" + json_quote(file_.name) + ",\"sha256\":\"" + file_.sha256 +
                              "\",\"size\":" + std::to_string(file_.size) + ",\"source\":\"" +
                              file_source_name(file_.source) + "\",\"format\":" + json_quote(format_) +
                              ",\"statements\":" + std::to_string(counts_.statements) +
                              ",\"entries_new\":" + std::to_string(counts_.entries_new) +
                              ",\"entries_skipped\":" + std::to_string(counts_.entries_skipped) +
                              ",\"pending_replaced\":" + std::to_string(counts_.pending_replaced) +
                              ",\"rejected\":" + std::to_string(counts_.rejected) +
                              ",\"warnings\":" + std::to_string(counts_.warnings.size()) + "}";
  BANKREC_TRY(
      store_.audit().append({file_.actor, "import.file", "source_file", std::to_string(file_id_), details}));
  BANKREC_TRY(keep_original_of(store_, file_));  // same transaction as the rows made from it
  // Every imported file is covered by a signed checkpoint that also leaves the database.
  BANKREC_TRY(store_.audit().checkpoint());
  q_.reset();  // finalize before COMMIT
  Transaction transaction = std::move(*transaction_);
  transaction_.reset();
  BANKREC_TRY(store_.commit(transaction));
  db.set_auto_checkpoint(/*on=*/true);
  return ImportResult{file_id_, false, format_, counts_};
}

Result<std::int64_t> ImportWriter::abort(const Error& error) {
  q_.reset();
  if (transaction_) {
    transaction_->rollback();
    transaction_.reset();
  }
  store_.audit().discard_pending();
  store_.db().set_auto_checkpoint(/*on=*/true);
  const std::string message = error.describe();
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    Query insert =
        BANKREC_TRY(db.prepare("INSERT INTO source_files(sha256, name, size, source, actor, received_at, "
                               "finished_at, format, status, error) "
                               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'error', ?9)"));
    insert.bind(1, file_.sha256).bind(2, file_.name).bind(3, static_cast<std::int64_t>(file_.size));
    insert.bind(4, file_source_name(file_.source)).bind(5, file_.actor).bind(6, now_);
    insert.bind(7, utc_timestamp(store_.clock().now())).bind(8, format_).bind(9, message);
    BANKREC_TRY(insert.run());
    id = db.last_insert_rowid();
    BANKREC_TRY(keep_original_of(store_, file_));  // a clerk can download the file that failed
    BANKREC_TRY(store_.audit().append({file_.actor, "import.failed", "source_file", std::to_string(id),
                                       "{\"name\":" + json_quote(file_.name) + ",\"sha256\":\"" +
                                           file_.sha256 + "\",\"error\":" + json_quote(message) + "}"}));
    return ok();
  }));
  return id;
}

Result<std::optional<std::int64_t>> find_imported_file(Store& store, std::string_view sha256) {
  Query q = BANKREC_TRY(
      store.db().prepare("SELECT id FROM source_files WHERE sha256 = ?1 AND status = 'processed'"));
  q.bind(1, sha256);
  if (!BANKREC_TRY(q.step())) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(q.column_int(0));
}

Result<void> record_duplicate_file(Store& store, const SourceFileInfo& file, std::int64_t existing_id) {
  return store.write([&]() -> Result<void> {
    BANKREC_TRY(keep_original_of(store, file));  // fills the gap for files imported before originals were kept
    BANKREC_TRY(
        store.audit().append({file.actor, "import.duplicate_file", "source_file", std::to_string(existing_id),
                              "{\"name\":" + json_quote(file.name) + ",\"sha256\":\"" + file.sha256 +
                                  "\",\"source\":\"" + file_source_name(file.source) + "\"}"}));
    return ok();
  });
}

Result<std::int64_t> expire_pending(Store& store, const std::string& today_iso, std::string_view actor) {
  return expire_pending_before(store, today_iso, std::nullopt, actor);
}

Result<std::int64_t> expire_pending_older_than(Store& store, int max_age_days, std::string_view actor) {
  if (max_age_days < 1 || max_age_days > 3650)
    return fail(Errc::invalid_input,
                "pending expiry of " + std::to_string(max_age_days) + " days is outside 1..3650");
  const auto days = std::chrono::floor<std::chrono::days>(store.clock().now()).time_since_epoch().count();
  const domain::Date today = domain::Date::from_days(days);
  return expire_pending_before(store, today.iso(), today.add_days(-max_age_days).iso(), actor);
}

}  // namespace bankrec::store
