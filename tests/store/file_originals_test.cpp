// The original bytes of a file kept beside its rows (issue 8): in the import's own transaction
// (ImportWriter::commit), with the error row of a failed file (abort), once per content, and read
// back in pieces (ConsoleDataRepo::read_original). A crash (kill -9) at any point never leaves a
// file row without its original, nor an original without a row.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TestStore;

domain::Statement header(const std::string& id) {
  domain::Statement s;
  s.id = id;
  s.from_date = domain::Date{2026, 11, 20};
  s.account.iban = "DE89370400440532013000";
  s.account.currency = "EUR";
  return s;
}

std::vector<domain::Entry> lines(const std::string& prefix, int n) {
  std::vector<domain::Entry> out;
  for (int i = 0; i < n; ++i) {
    domain::Entry e;
    e.booking_date = e.value_date = domain::Date{2026, 11, 20};
    e.amount = domain::Money(1000 + i, domain::kEur);
    e.bank_reference = prefix + "-" + std::to_string(i);
    e.remittance = "line " + std::to_string(i);
    out.push_back(std::move(e));
  }
  return out;
}

/// A file's bytes: `n` bytes that differ with `seed`, including NULs and bytes above 0x7f.
std::string content(int seed, std::size_t n) {
  std::string s(n, '\0');
  std::mt19937 gen(static_cast<unsigned>(seed));
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

SourceFileInfo file_info(const std::string& name, const std::string& bytes, bool keep = true) {
  SourceFileInfo f{name, sha256_hex(as_bytes(bytes)), bytes.size(), FileSource::inbox, "inbox"};
  if (keep) f.original = bytes;
  return f;
}

/// Begins an import of `file` with one statement of `entries` lines, all written but not committed.
Result<std::unique_ptr<ImportWriter>> write_all(Store& store, const SourceFileInfo& file, int entries) {
  auto w = BANKREC_TRY(ImportWriter::begin(store, file));
  BANKREC_TRY(w->set_format("test"));
  const auto h = header("ST-" + file.sha256.substr(0, 8));
  BANKREC_TRY(w->begin_statement(h));
  auto batch = lines(file.sha256.substr(0, 8), entries);
  BANKREC_TRY(w->add_entries(batch));
  BANKREC_TRY(w->end_statement(h));
  return w;
}

std::int64_t count(Store& s, const std::string& sql) {
  auto v = s.db().query_int(sql);
  EXPECT_TRUE(v.has_value()) << sql;
  return v ? *v : -1;
}

/// The whole original of a file row, read in pieces of `piece` bytes as the console's download does.
Result<std::string> download(Store& store, std::int64_t file_id, std::size_t piece) {
  ConsoleDataRepo repo(store);
  const FileOriginal meta = BANKREC_TRY(repo.original(file_id));
  std::string out;
  std::vector<char> buffer(piece);
  for (;;) {
    const std::size_t n = BANKREC_TRY(repo.read_original(meta.sha256, out.size(), buffer));
    if (n == 0) break;
    out.append(buffer.data(), n);
  }
  if (out.size() != meta.size) return fail(Errc::internal, "size " + std::to_string(meta.size) + " but read " +
                                                               std::to_string(out.size()));
  return out;
}

TEST(FileOriginals, commit_keeps_the_original_with_the_import) {
  TestStore t;
  const std::string bytes = content(1, 300'001);
  const auto file = file_info("nov.xml", bytes);
  auto w = write_all(*t.store, file, 3);
  ASSERT_OK(w);
  const auto result = (*w)->commit();
  ASSERT_OK(result);
  const auto meta = ConsoleDataRepo(*t.store).original(result->source_file_id);
  ASSERT_OK(meta);
  EXPECT_EQ(meta->name, "nov.xml");
  EXPECT_EQ(meta->sha256, file.sha256);
  EXPECT_EQ(meta->size, bytes.size());
  for (const std::size_t piece : {std::size_t{1} << 18, std::size_t{4093}, bytes.size() + 10}) {
    const auto got = download(*t.store, result->source_file_id, piece);
    ASSERT_OK(got);
    EXPECT_TRUE(*got == bytes) << "piece " << piece;
  }
  EXPECT_EQ(count(*t.store, "SELECT stored_by = 'inbox' AND size = 300001 FROM file_originals"), 1);
}

TEST(FileOriginals, a_file_row_without_original_bytes_is_not_found) {
  TestStore t;
  const std::string bytes = content(2, 100);
  auto w = write_all(*t.store, file_info("cli.xml", bytes, /*keep=*/false), 1);
  ASSERT_OK(w);
  const auto result = (*w)->commit();
  ASSERT_OK(result);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM file_originals"), 0);
  ConsoleDataRepo repo(*t.store);
  EXPECT_ERR(repo.original(result->source_file_id), Errc::not_found, HasSubstr("is not in the database"));
  EXPECT_ERR(repo.original(result->source_file_id + 100), Errc::not_found, HasSubstr("no file with id"));
  std::vector<char> buffer(16);
  EXPECT_ERR(repo.read_original(sha256_hex(as_bytes(bytes)), 0, buffer), Errc::not_found, HasSubstr("no original"));
}

// A file that fails keeps its original with its error row, so a clerk can download what failed; the
// entries written before the failure are gone.
TEST(FileOriginals, abort_keeps_the_original_with_the_error_row) {
  TestStore t;
  const std::string bytes = content(3, 5000);
  auto w = write_all(*t.store, file_info("bad.xml", bytes), 4);
  ASSERT_OK(w);
  const auto id = (*w)->abort(Error{Errc::invalid_input, "invalid amount 'x'", "bad.xml:3:1"});
  ASSERT_OK(id);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM entries"), 0);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM source_files WHERE status = 'error'"), 1);
  const auto got = download(*t.store, *id, 1024);
  ASSERT_OK(got);
  EXPECT_TRUE(*got == bytes);
}

// An import dropped without commit or abort (the process dies inside it): neither row nor original.
TEST(FileOriginals, an_unfinished_import_leaves_no_original) {
  TestStore t;
  const std::string bytes = content(4, 2000);
  {
    auto w = write_all(*t.store, file_info("gone.xml", bytes), 2);
    ASSERT_OK(w);
  }
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM source_files"), 0);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM file_originals"), 0);
}

// The same bytes failing, then imported, then offered again: three rows, one original.
TEST(FileOriginals, the_same_content_is_stored_once) {
  TestStore t;
  const std::string bytes = content(5, 10'000);
  const auto file = file_info("a.xml", bytes);
  auto failed = write_all(*t.store, file, 1);
  ASSERT_OK(failed);
  ASSERT_OK((*failed)->abort(Error{Errc::invalid_input, "broken", {}}));
  t.clock.advance(std::chrono::minutes(1));
  auto second = write_all(*t.store, file_info("a-again.xml", bytes), 1);
  ASSERT_OK(second);
  const auto imported = (*second)->commit();
  ASSERT_OK(imported);
  ASSERT_OK(record_duplicate_file(*t.store, file_info("a-third.xml", bytes), imported->source_file_id));
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM source_files"), 2);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM file_originals"), 1);
  // The first keeper wins: stored_at is the failed attempt's time.
  EXPECT_EQ(count(*t.store, "SELECT stored_at = '2026-11-22T09:00:00.000Z' FROM file_originals"), 1);
  const auto got = download(*t.store, imported->source_file_id, 999);
  ASSERT_OK(got);
  EXPECT_TRUE(*got == bytes);
}

// A file imported before originals were kept gets its original when it is offered again.
TEST(FileOriginals, a_duplicate_offer_fills_in_a_missing_original) {
  TestStore t;
  const std::string bytes = content(6, 777);
  auto w = write_all(*t.store, file_info("old.xml", bytes, /*keep=*/false), 1);
  ASSERT_OK(w);
  const auto imported = (*w)->commit();
  ASSERT_OK(imported);
  EXPECT_ERR(ConsoleDataRepo(*t.store).original(imported->source_file_id), Errc::not_found, HasSubstr("not in"));
  ASSERT_OK(record_duplicate_file(*t.store, file_info("old.xml", bytes), imported->source_file_id));
  const auto got = download(*t.store, imported->source_file_id, 100);
  ASSERT_OK(got);
  EXPECT_TRUE(*got == bytes);
}

TEST(FileOriginals, an_empty_file_has_an_empty_original) {
  TestStore t;
  auto w = ImportWriter::begin(*t.store, file_info("empty.csv", std::string()));
  ASSERT_OK(w);
  const auto id = (*w)->abort(Error{Errc::invalid_input, "the file is empty", {}});
  ASSERT_OK(id);
  const auto meta = ConsoleDataRepo(*t.store).original(*id);
  ASSERT_OK(meta);
  EXPECT_EQ(meta->size, 0u);
  const auto got = download(*t.store, *id, 64);
  ASSERT_OK(got);
  EXPECT_EQ(*got, "");
}

TEST(FileOriginals, reads_past_the_end_return_nothing) {
  TestStore t;
  const std::string bytes = content(7, 100);
  auto w = write_all(*t.store, file_info("x.xml", bytes), 1);
  ASSERT_OK(w);
  ASSERT_OK((*w)->commit());
  std::vector<char> buffer(64);
  ConsoleDataRepo repo(*t.store);
  const auto tail = repo.read_original(sha256_hex(as_bytes(bytes)), 90, buffer);
  ASSERT_OK(tail);
  EXPECT_EQ(*tail, 10u);
  EXPECT_EQ(std::string(buffer.data(), 10), bytes.substr(90));
  const auto past = repo.read_original(sha256_hex(as_bytes(bytes)), 1000, buffer);
  ASSERT_OK(past);
  EXPECT_EQ(*past, 0u);
}

/// A statement-like text of about `n` bytes that compresses well (as CAMT and MT940 files do).
std::string text_content(int seed, std::size_t n) {
  std::string s;
  s.reserve(n + 200);
  for (int i = 0; s.size() < n; ++i)
    s += "<Ntry><Amt Ccy=\"EUR\">" + std::to_string(seed * 7919 + i * 31) + ".00</Amt><AcctSvcrRef>REF-" +
         std::to_string(seed) + "-" + std::to_string(i) + "</AcctSvcrRef><Ustrd>Rechnung " + std::to_string(i) +
         "</Ustrd></Ntry>\n";
  s.resize(n);
  return s;
}

std::string text_of(Store& s, const std::string& sql) {
  auto rows = s.db().query_texts(sql);
  EXPECT_TRUE(rows.has_value() && rows->size() == 1) << sql;
  return rows && rows->size() == 1 ? rows->front() : std::string();
}

/// The stored BLOB of the only original.
std::string stored_blob(Store& s) {
  auto q = s.db().prepare("SELECT content FROM file_originals");
  EXPECT_TRUE(q.has_value());
  if (!q || !q->step().value_or(false)) return {};
  return std::string(q->column_blob_view(0));
}

void replace_blob(Store& s, const std::string& blob) {
  auto q = s.db().prepare("UPDATE file_originals SET content = ?1");
  ASSERT_OK(q);
  q->bind_blob_static(1, blob);
  ASSERT_OK(q->run());
}

/// Imports `bytes` (kept) with one line and returns the file id.
std::int64_t import_kept(Store& s, const std::string& name, const std::string& bytes) {
  auto w = write_all(s, file_info(name, bytes), 1);
  EXPECT_TRUE(w.has_value());
  if (!w) return 0;
  const auto result = (*w)->commit();
  EXPECT_TRUE(result.has_value());
  return result ? result->source_file_id : 0;
}

// Text that compresses is kept as zstd (schema step 16): the BLOB is a fraction of the file, the
// recorded size is the file's, and every way of reading it in pieces gives the file back.
TEST(FileOriginals, a_compressible_file_is_kept_as_zstd_and_read_back_in_any_pieces) {
  TestStore t;
  const std::string bytes = text_content(1, 1'300'001);  // 5 frames of 256 KiB and a short one
  const std::int64_t id = import_kept(*t.store, "big.xml", bytes);
  EXPECT_EQ(text_of(*t.store, "SELECT encoding FROM file_originals"), "zstd");
  EXPECT_EQ(count(*t.store, "SELECT size FROM file_originals"), 1'300'001);
  EXPECT_LT(count(*t.store, "SELECT length(content) FROM file_originals"), 1'300'001 / 4);
  const auto meta = ConsoleDataRepo(*t.store).original(id);
  ASSERT_OK(meta);
  EXPECT_EQ(meta->size, bytes.size());
  for (const std::size_t piece : {std::size_t{1} << 18, std::size_t{4093}, std::size_t{100'000}, bytes.size() + 10}) {
    const auto got = download(*t.store, id, piece);
    ASSERT_OK(got);
    EXPECT_TRUE(*got == bytes) << "piece " << piece;
  }
  // Any offset, including the last byte, a frame boundary and past the end.
  ConsoleDataRepo repo(*t.store);
  std::vector<char> buffer(1000);
  for (const std::uint64_t at : {0ULL, 262'143ULL, 262'144ULL, 700'001ULL, 1'300'000ULL}) {
    const auto n = repo.read_original(meta->sha256, at, buffer);
    ASSERT_OK(n);
    ASSERT_GT(*n, 0u) << at;
    EXPECT_EQ(std::string(buffer.data(), *n), bytes.substr(at, *n)) << at;
  }
  const auto past = repo.read_original(meta->sha256, bytes.size(), buffer);
  ASSERT_OK(past);
  EXPECT_EQ(*past, 0u);
}

// Random bytes (like an already-compressed PDF or XLSX) do not shrink: kept as they came.
TEST(FileOriginals, an_incompressible_file_stays_identity) {
  TestStore t;
  const std::string bytes = content(21, 3'000'000);
  const std::int64_t id = import_kept(*t.store, "scan.pdf", bytes);
  EXPECT_EQ(text_of(*t.store, "SELECT encoding FROM file_originals"), "identity");
  EXPECT_EQ(count(*t.store, "SELECT length(content) = size FROM file_originals"), 1);
  const auto got = download(*t.store, id, 1 << 18);
  ASSERT_OK(got);
  EXPECT_TRUE(*got == bytes);
}

// Rows kept before step 16 (no encoding given) read as identity, as they always did.
TEST(FileOriginals, rows_stored_before_the_encoding_column_stay_readable) {
  TestStore t;
  const std::string bytes = text_content(2, 50'000);
  const std::int64_t id = import_kept(*t.store, "old.xml", bytes);
  ASSERT_OK(t.store->db().exec("DELETE FROM file_originals"));
  auto q = t.store->db().prepare(
      "INSERT INTO file_originals(sha256, size, content, stored_at, stored_by) VALUES (?1, ?2, ?3, 'then', 'inbox')");
  ASSERT_OK(q);
  q->bind(1, sha256_hex(as_bytes(bytes))).bind(2, static_cast<std::int64_t>(bytes.size())).bind_blob_static(3, bytes);
  ASSERT_OK(q->run());
  EXPECT_EQ(text_of(*t.store, "SELECT encoding FROM file_originals"), "identity");
  const auto got = download(*t.store, id, 4096);
  ASSERT_OK(got);
  EXPECT_TRUE(*got == bytes);
}

// A damaged BLOB is refused with a clear error, never wrong bytes or a crash: a flipped byte inside
// a frame (checksum or format error), a truncated BLOB, garbage, and an unknown encoding.
TEST(FileOriginals, a_damaged_compressed_original_is_refused) {
  TestStore t;
  const std::string bytes = text_content(3, 600'000);
  import_kept(*t.store, "x.xml", bytes);
  const std::string sha256 = sha256_hex(as_bytes(bytes));
  const std::string good = stored_blob(*t.store);
  ASSERT_GT(good.size(), 100u);
  ConsoleDataRepo repo(*t.store);
  std::vector<char> buffer(1 << 18);
  ASSERT_OK(repo.read_original(sha256, 0, buffer));

  std::string flipped = good;
  flipped[good.size() / 8] = static_cast<char>(flipped[good.size() / 8] ^ 0x55);
  replace_blob(*t.store, flipped);
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("is damaged: frame 0"));

  replace_blob(*t.store, good.substr(0, good.size() - 3));
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("no seek table"));

  replace_blob(*t.store, std::string(5000, 'x'));
  EXPECT_ERR(repo.read_original(sha256, 300'000, buffer), Errc::internal, HasSubstr("stored original " + sha256));

  replace_blob(*t.store, good);
  ASSERT_OK(t.store->db().exec("PRAGMA ignore_check_constraints = ON"));
  ASSERT_OK(t.store->db().exec("UPDATE file_originals SET encoding = 'brotli'"));
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("unknown encoding 'brotli'"));
}

// The recorded size bounds what comes out (zip-bomb safe): a size that disagrees with the frames, or
// a frame whose table entry claims fewer bytes than it yields, is an error, not extra output.
TEST(FileOriginals, output_beyond_the_recorded_size_is_refused) {
  TestStore t;
  const std::string bytes = text_content(4, 300);
  import_kept(*t.store, "small.xml", bytes);
  EXPECT_EQ(text_of(*t.store, "SELECT encoding FROM file_originals"), "zstd");
  const std::string sha256 = sha256_hex(as_bytes(bytes));
  ConsoleDataRepo repo(*t.store);
  std::vector<char> buffer(1 << 18);

  ASSERT_OK(t.store->db().exec("UPDATE file_originals SET size = size - 1"));
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("300 bytes, 299 recorded"));
  ASSERT_OK(t.store->db().exec("UPDATE file_originals SET size = size + 2"));
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("300 bytes, 301 recorded"));

  // The seek table's entry for the one frame says 200 (its last 4 bytes before the 9-byte footer),
  // and so does the row: the frame still yields 300.
  std::string blob = stored_blob(*t.store);
  const std::size_t at = blob.size() - 9 - 4;
  blob[at] = static_cast<char>(200);
  blob[at + 1] = blob[at + 2] = blob[at + 3] = 0;
  replace_blob(*t.store, blob);
  ASSERT_OK(t.store->db().exec("UPDATE file_originals SET size = 200"));
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("frame 0 yields more than its 200 bytes"));
  // A piece that ends inside the frame is within the recorded size whatever follows it.
  const auto inside = repo.read_original(sha256, 150, std::span(buffer).first(10));
  ASSERT_OK(inside);
  EXPECT_EQ(std::string(buffer.data(), *inside), bytes.substr(150, 10));

  // An identity row whose BLOB is longer than recorded.
  ASSERT_OK(t.store->db().exec("UPDATE file_originals SET encoding = 'identity', content = X'00112233', size = 3"));
  EXPECT_ERR(repo.read_original(sha256, 0, buffer), Errc::internal, HasSubstr("it holds 4 bytes, 3 recorded"));
}

/// In a child process: imports files one after another with their originals, every third one
/// failing (abort), until killed. Never returns.
[[noreturn]] void import_until_killed(const TestStore& t, int first, int ready_fd) {
  testing_util::FakeClock clock;
  testing_util::RecordingSink sink;
  auto opened = Store::open(t.path(), t.key, t.signing, clock, &sink, {});
  if (!opened) ::_exit(2);
  for (int i = first;; ++i) {
    const std::size_t n = 20'000 + static_cast<std::size_t>(i % 7) * 50'000;
    const std::string bytes = i % 2 == 0 ? text_content(i, n) : content(i, n);  // zstd and identity rows
    auto w = write_all(**opened, file_info("f" + std::to_string(i) + ".xml", bytes), 50);
    if (!w) ::_exit(3);
    const bool ok = i % 3 == 0 ? (*w)->abort(Error{Errc::invalid_input, "bad", {}}).has_value()
                               : (*w)->commit().has_value();
    if (!ok) ::_exit(4);
    // The kill delay counts from the first finished file, so that every round leaves rows behind
    // however slow the machine is (ASan, a loaded CI); the kill still lands at random points after it.
    if (i == first && ::write(ready_fd, "r", 1) != 1) ::_exit(5);
  }
}

// kill -9 at random points of a stream of imports and failures: every file row (processed or
// error) has its original and every original has a row, whenever the process died.
TEST(FileOriginals, kill_at_random_points_never_separates_a_row_from_its_original) {
  TestStore t;
  std::mt19937 gen(20261122);
  std::uniform_int_distribution<int> delay_ms(30, 400);
  std::int64_t rows = 0;
  t.store.reset();  // the child opens its own connection; none is shared across fork()
  for (int round = 0; round < 12; ++round) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) import_until_killed(t, round * 1000, ready[1]);
    char byte = 0;
    EXPECT_EQ(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    ::close(ready[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(gen)));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  }
  auto reopened = t.reopen();
  ASSERT_OK(reopened);
  Store& s = **reopened;
  rows = count(s, "SELECT count(*) FROM source_files");
  EXPECT_GT(rows, 0);
  EXPECT_EQ(count(s, "SELECT count(*) FROM source_files WHERE status = 'pending'"), 0);
  EXPECT_EQ(count(s, "SELECT count(*) FROM source_files f WHERE NOT EXISTS "
                     "(SELECT 1 FROM file_originals o WHERE o.sha256 = f.sha256)"),
            0);
  EXPECT_EQ(count(s, "SELECT count(*) FROM file_originals o WHERE NOT EXISTS "
                     "(SELECT 1 FROM source_files f WHERE f.sha256 = o.sha256)"),
            0);
  EXPECT_EQ(count(s, "SELECT count(*) FROM file_originals WHERE encoding = 'identity' AND length(content) != size"), 0);
  EXPECT_GT(count(s, "SELECT count(*) FROM file_originals WHERE encoding = 'zstd'"), 0);
  // Every original reads back whole, whichever encoding and whenever the process died.
  const auto ids = s.db().query_texts("SELECT max(id) FROM source_files GROUP BY sha256");
  ASSERT_OK(ids);
  for (const auto& id : *ids) {
    SCOPED_TRACE("file " + id);
    ASSERT_OK(download(s, std::stoll(id), 1 << 18));
  }
  EXPECT_EQ(*s.db().query_texts("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  RecordProperty("file_rows", static_cast<int>(rows));
  std::printf("kill loop: %lld file rows survived 12 kills\n", static_cast<long long>(rows));
}

}  // namespace
}  // namespace bankrec::store
