// Benchmark for ingestion (issue 4): a generated camt.053.001.08 with N entries (about 1 KB each:
// references, parties, remittance, GVC code) is imported into a fresh encrypted database through
// jobs::ingest_file (sniff + streaming parse + identity/dedup + insert + audit entry + signed
// checkpoint + COMMIT with fsync), then into a plaintext database for comparison. The WAL checkpoint
// that the import defers is timed separately ("checkpoint afterwards"). Prints wall and
// CPU seconds for parse alone, the encrypted import and the plaintext import. When the CAMT parser
// does not recognise the file (not built yet), the same statement is generated as domain objects
// and fed through the same ImportWriter path (--direct forces that).
// Usage: bench_import [--entries N] [--direct] [--only parse|encrypted|plaintext] (default 100000,
// all three; --keep leaves the databases in the temp dir; --no-original does not keep the file's
// bytes in file_originals, which the import does by default for the console's download). --only runs one
// part, for profilers (perf, callgrind --toggle-collect=*ingest_file*).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>

#include <sys/resource.h>

#include "bankrec/base/huge_pages.h"
#include "bankrec/base/clock.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/store/store.h"

namespace {

namespace domain = bankrec::domain;
namespace formats = bankrec::formats;
namespace store = bankrec::store;
namespace jobs = bankrec::jobs;
using bankrec::Result;

std::string amount_text(std::int64_t minor) {
  return std::to_string(minor / 100) + "." + (minor % 100 < 10 ? "0" : "") + std::to_string(minor % 100);
}

std::int64_t amount_of(std::size_t i) { return 1000 + static_cast<std::int64_t>((i * 7919) % 250000); }
bool is_credit(std::size_t i) { return i % 10 != 0; }

std::string entry_xml(std::size_t i) {
  const std::string n = std::to_string(i);
  const bool credit = is_credit(i);
  std::string e = "   <Ntry>\n    <Amt Ccy=\"EUR\">" + amount_text(amount_of(i)) + "</Amt>\n";
  e += std::string("    <CdtDbtInd>") + (credit ? "CRDT" : "DBIT") + "</CdtDbtInd>\n";
  e += "    <Sts>\n     <Cd>BOOK</Cd>\n    </Sts>\n    <BookgDt>\n     <Dt>2024-01-31</Dt>\n    </BookgDt>\n";
  e += "    <ValDt>\n     <Dt>2024-01-31</Dt>\n    </ValDt>\n    <AcctSvcrRef>2024013100" + n +
       "</AcctSvcrRef>\n";
  e += "    <BkTxCd>\n     <Domn>\n      <Cd>PMNT</Cd>\n      <Fmly>\n       <Cd>RCDT</Cd>\n"
       "       <SubFmlyCd>ESCT</SubFmlyCd>\n      </Fmly>\n     </Domn>\n     <Prtry>\n"
       "      <Cd>NTRF+166+931</Cd>\n      <Issr>DK</Issr>\n     </Prtry>\n    </BkTxCd>\n";
  e += "    <NtryDtls>\n     <TxDtls>\n      <Refs>\n       <EndToEndId>E2E-INV-2024-" + n +
       "</EndToEndId>\n      </Refs>\n      <RltdPties>\n       <Dbtr>\n        <Pty>\n         <Nm>Hans "
       "Beispiel " +
       n +
       "</Nm>\n        </Pty>\n       </Dbtr>\n       <DbtrAcct>\n        <Id>\n"
       "         <IBAN>DE02120300000000202051</IBAN>\n        </Id>\n       </DbtrAcct>\n      </RltdPties>\n"
       "      <RmtInf>\n       <Ustrd>Rechnung INV-2024-" +
       n +
       " Kd 4711 Miete Januar</Ustrd>\n      </RmtInf>\n"
       "     </TxDtls>\n    </NtryDtls>\n    <AddtlNtryInf>SEPA-GUTSCHRIFT</AddtlNtryInf>\n   </Ntry>\n";
  return e;
}

std::string balance_xml(const char* code, std::int64_t minor) {
  return std::string("      <Bal>\n        <Tp>\n          <CdOrPrtry>\n            <Cd>") + code +
         "</Cd>\n          </CdOrPrtry>\n        </Tp>\n        <Amt Ccy=\"EUR\">" +
         amount_text(minor < 0 ? -minor : minor) + "</Amt>\n        <CdtDbtInd>" +
         (minor < 0 ? "DBIT" : "CRDT") +
         "</CdtDbtInd>\n        <Dt>\n          <Dt>2024-01-31</Dt>\n        </Dt>\n      </Bal>\n";
}

std::string camt_statement(std::size_t entries) {
  const std::int64_t opening = 1'000'000'00;
  std::int64_t balance = opening;
  std::string body;
  for (std::size_t i = 1; i <= entries; ++i) {
    body += entry_xml(i);
    balance += is_credit(i) ? amount_of(i) : -amount_of(i);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n  <BkToCstmrStmt>\n"
         "    <GrpHdr>\n      <MsgId>BENCH-1</MsgId>\n      <CreDtTm>2024-02-01T06:01:12+01:00</CreDtTm>\n"
         "    </GrpHdr>\n    <Stmt>\n      <Id>STMT-2024-02-01-001</Id>\n      "
         "<ElctrncSeqNb>32</ElctrncSeqNb>\n"
         "      <CreDtTm>2024-02-01T06:01:12+01:00</CreDtTm>\n      <Acct>\n        <Id>\n"
         "          <IBAN>DE89370400440532013000</IBAN>\n        </Id>\n        <Ccy>EUR</Ccy>\n      "
         "</Acct>\n" +
         balance_xml("OPBD", opening) + balance_xml("CLBD", balance) + body +
         "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n";
}

/// The same statement as domain objects, for --direct.
domain::Entry entry_object(std::size_t i) {
  domain::Entry e;
  e.booking_date = e.value_date = domain::Date{2024, 1, 31};
  e.amount = domain::Money(is_credit(i) ? amount_of(i) : -amount_of(i), domain::kEur);
  e.bank_reference = "2024013100" + std::to_string(i);
  e.end_to_end_id = "E2E-INV-2024-" + std::to_string(i);
  e.transaction_code.iso = "PMNT-RCDT-ESCT";
  e.transaction_code.proprietary = "NTRF+166+931";
  e.posting_text = "SEPA-GUTSCHRIFT";
  e.counterparty.name = "Hans Beispiel " + std::to_string(i);
  e.counterparty.iban = "DE02120300000000202051";
  e.remittance = "Rechnung INV-2024-" + std::to_string(i) + " Kd 4711 Miete Januar";
  return e;
}

Result<store::ImportResult> import_direct(store::Store& s, std::size_t entries) {
  auto writer = BANKREC_TRY(
      store::ImportWriter::begin(s, {"bench-direct", "direct", entries, store::FileSource::cli, "bench"}));
  domain::Statement header;
  header.id = "STMT-2024-02-01-001";
  header.sequence = "32";
  header.account.iban = "DE89370400440532013000";
  header.account.currency = "EUR";
  BANKREC_TRY(writer->set_format("generated"));
  BANKREC_TRY(writer->begin_statement(header));
  std::vector<domain::Entry> batch;
  for (std::size_t i = 1; i <= entries; ++i) {
    batch.push_back(entry_object(i));
    if (batch.size() == formats::kEntryBatch || i == entries) {
      BANKREC_TRY(writer->add_entries(batch));
      batch.clear();
    }
  }
  BANKREC_TRY(writer->end_statement(header));
  return writer->commit();
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// User and system CPU seconds of this process so far (the import's system time is mostly WAL
/// writes, fsync and page faults; its user time is what callgrind counts).
struct CpuSplit {
  double user = 0, sys = 0;
};
CpuSplit cpu_split() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

class CountingSink final : public formats::StatementSink {
 public:
  Result<void> set_format(std::string_view) override { return bankrec::ok(); }
  Result<void> begin_statement(const domain::Statement&) override { return bankrec::ok(); }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    entries += batch.size();
    return bankrec::ok();
  }
  Result<void> end_statement(const domain::Statement&) override { return bankrec::ok(); }
  std::size_t entries = 0;
};

struct Run {
  double wall = 0, cpu = 0;
  double user = 0, sys = 0;  //!< the split of `cpu` (getrusage, microsecond resolution)
  std::int64_t stored = 0;
  std::uintmax_t db_bytes = 0;  //!< the database file after the import and its checkpoint
  double checkpoint_cpu = 0;    //!< the WAL checkpoint after it
  bool ok = false;
};

std::uintmax_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

Run run_import(bool encrypted, bool direct, bool keep_original, const std::string& xml, std::size_t entries,
               const formats::FormatRegistry& registry, const std::filesystem::path& dir) {
  const bankrec::SystemClock clock;
  const auto signing = store::SigningKey::generate();
  const auto key = store::SecretKey::generate();
  store::StoreOptions options;
  options.open.create = true;
  const auto path = dir / (encrypted ? "encrypted.db" : "plain.db");
  auto opened = encrypted ? store::Store::open(path, key, signing, clock, nullptr, options)
                          : store::Store::open_plaintext(path, signing, clock, options);
  Run run;
  if (!opened) {
    std::fprintf(stderr, "open failed: %s\n", opened.error().describe().c_str());
    return run;
  }
  const auto start = clock.steady_now();
  const double cpu_start = cpu_seconds();
  const CpuSplit split_start = cpu_split();
  Result<store::ImportResult> result = direct ? import_direct(**opened, entries) : [&] {
    jobs::IngestRequest request;
    request.name = "bench.xml";
    request.bytes = bankrec::as_bytes(xml);
    request.keep_original = keep_original;
    return jobs::ingest_file(**opened, registry, request);
  }();
  run.cpu = cpu_seconds() - cpu_start;
  const CpuSplit split_end = cpu_split();
  run.user = split_end.user - split_start.user;
  run.sys = split_end.sys - split_start.sys;
  run.wall = std::chrono::duration<double>(clock.steady_now() - start).count();
  if (!result) {
    std::fprintf(stderr, "import failed: %s\n", result.error().describe().c_str());
    return run;
  }
  run.stored = result->counts.entries_new;
  // The import leaves copying its pages from the WAL into the database file for later (next commit,
  // checkpoint or close); measured here so that the figure is reported, not hidden.
  const double checkpoint_start = cpu_seconds();
  if (const auto checkpointed = (*opened)->db().checkpoint(); !checkpointed)
    std::fprintf(stderr, "checkpoint failed: %s\n", checkpointed.error().describe().c_str());
  run.checkpoint_cpu = cpu_seconds() - checkpoint_start;
  run.db_bytes = file_size_or_zero(path);
  run.ok = true;
  return run;
}

void print_run(const char* label, const Run& run, const char* what) {
  std::printf(
      "%s %lld entries, %s, %.3f s wall, %.3f s cpu (user %.3f, sys %.3f; %.0f entries/s), "
      "database %.1f MB (%.0f bytes/entry); checkpoint afterwards %.3f s cpu\n",
      label, static_cast<long long>(run.stored), what, run.wall, run.cpu, run.user, run.sys,
      static_cast<double>(run.stored) / run.wall, static_cast<double>(run.db_bytes) / 1e6,
      static_cast<double>(run.db_bytes) / static_cast<double>(run.stored), run.checkpoint_cpu);
}

}  // namespace

int main(int argc, char** argv) {
  // As bankrecd and bankrec run (base/huge_pages.h); BANKREC_MALLOC_HUGE_PAGES=off measures without.
  bankrec::base::use_malloc_huge_pages(argv);
  std::size_t entries = 100'000;
  bool direct = false;
  std::string only;
  bool keep = false;
  bool keep_original = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--entries") == 0 && i + 1 < argc) {
      entries = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--direct") == 0) {
      direct = true;
    } else if (std::strcmp(argv[i], "--no-original") == 0) {
      keep_original = false;
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      keep = true;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(
          stderr,
          "usage: %s [--entries N] [--direct] [--only parse|encrypted|plaintext] [--keep] [--no-original]\n",
          argv[0]);
      return 2;
    }
  }
  if (entries == 0 || entries > 10'000'000 ||
      (!only.empty() && only != "parse" && only != "encrypted" && only != "plaintext")) {
    std::fprintf(stderr, "%s: --entries must be 1..10000000, --only parse, encrypted or plaintext\n",
                 argv[0]);
    return 2;
  }
  const bool all = only.empty();
  formats::FormatRegistry registry;
  formats::register_builtin_formats(registry);
  std::string xml;
  if (!direct) xml = camt_statement(entries);
  if (!direct && (all || only == "parse")) {
    CountingSink sink;
    const bankrec::SystemClock clock;
    const formats::ParseOptions options{.file_name = "bench.xml", .max_input_bytes = 4ULL << 30};
    const auto start = clock.steady_now();
    const double cpu_start = cpu_seconds();
    const auto parsed = formats::parse_document(registry, "", bankrec::as_bytes(xml), options, sink);
    const double cpu = cpu_seconds() - cpu_start;
    const double wall = std::chrono::duration<double>(clock.steady_now() - start).count();
    if (!parsed || sink.entries != entries) {
      std::printf("camt parser not usable here (%s): generating domain objects instead (--direct)\n",
                  parsed ? "wrong entry count" : parsed.error().message.c_str());
      direct = true;
    } else {
      std::printf("parse only:          %zu entries, %.1f MB, %.3f s wall, %.3f s cpu\n", entries,
                  static_cast<double>(xml.size()) / 1e6, wall, cpu);
    }
  }
  if (only == "parse") return 0;
  std::string tmpl = (std::filesystem::temp_directory_path() / "bankrec-import-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  const std::filesystem::path dir = tmpl;
  const char* what = direct ? "store+audit (generated objects)" : "parse+store+audit";
  Run enc, plain;
  if (all || only == "encrypted")
    enc = run_import(/*encrypted=*/true, direct, keep_original, xml, entries, registry, dir);
  if (all || only == "plaintext")
    plain = run_import(/*encrypted=*/false, direct, keep_original, xml, entries, registry, dir);
  std::error_code ec;
  if (keep)
    std::printf("databases kept in %s\n", dir.c_str());
  else
    std::filesystem::remove_all(dir, ec);
  if (enc.ok) print_run("encrypted import:   ", enc, what);
  if (plain.ok) print_run("plaintext import:   ", plain, what);
  if (enc.ok && plain.ok)
    std::printf("encryption overhead: %.2fx wall, %.2fx cpu\n", enc.wall / plain.wall, enc.cpu / plain.cpu);
  const auto want = static_cast<std::int64_t>(entries);
  if (all) return enc.stored == want && plain.stored == want ? 0 : 1;
  return (only == "encrypted" ? enc.stored : plain.stored) == want ? 0 : 1;
}
