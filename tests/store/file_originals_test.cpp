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

/// In a child process: imports files one after another with their originals, every third one
/// failing (abort), until killed. Never returns.
[[noreturn]] void import_until_killed(const TestStore& t, int first, int ready_fd) {
  testing_util::FakeClock clock;
  testing_util::RecordingSink sink;
  auto opened = Store::open(t.path(), t.key, t.signing, clock, &sink, {});
  if (!opened) ::_exit(2);
  if (::write(ready_fd, "r", 1) != 1) ::_exit(5);  // the kill delay counts from here (slow under ASan)
  for (int i = first;; ++i) {
    const std::string bytes = content(i, 20'000 + static_cast<std::size_t>(i % 7) * 50'000);
    auto w = write_all(**opened, file_info("f" + std::to_string(i) + ".xml", bytes), 50);
    if (!w) ::_exit(3);
    const bool ok = i % 3 == 0 ? (*w)->abort(Error{Errc::invalid_input, "bad", {}}).has_value()
                               : (*w)->commit().has_value();
    if (!ok) ::_exit(4);
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
  EXPECT_EQ(count(s, "SELECT count(*) FROM file_originals WHERE length(content) != size"), 0);
  EXPECT_EQ(*s.db().query_texts("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  RecordProperty("file_rows", static_cast<int>(rows));
  std::printf("kill loop: %lld file rows survived 12 kills\n", static_cast<long long>(rows));
}

}  // namespace
}  // namespace bankrec::store
