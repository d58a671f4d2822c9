// Benchmark for the streaming CAMT parser: writes a realistic German camt.053.001.08 with N
// entries (about 1.1 KB each: references, parties, accounts, agent, remittance, GVC code,
// every 25th entry a batch booking with three TxDtls) to a temporary file, maps it, parses it
// with a counting sink and prints size, time, MB/s, entries/s and the peak RSS growth beyond the
// mapped input. Usage: bench_camt [--entries N] (default 100000).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "bankrec/formats/format_registry.h"

namespace {

using bankrec::Result;
namespace domain = bankrec::domain;
namespace formats = bankrec::formats;

/// Counts what the parser delivers and touches every entry so nothing is optimised away.
class CountingSink final : public formats::StatementSink {
 public:
  Result<void> set_format(std::string_view) override { return bankrec::ok(); }
  Result<void> begin_statement(const domain::Statement&) override {
    ++statements;
    return bankrec::ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    entries += batch.size();
    for (const auto& e : batch) {
      checksum += e.amount.minor();
      details += e.details.size();
    }
    return bankrec::ok();
  }
  Result<void> end_statement(const domain::Statement& s) override {
    warnings += s.warnings.size();
    return bankrec::ok();
  }
  std::size_t statements = 0, entries = 0, details = 0, warnings = 0;
  std::int64_t checksum = 0;
};

std::string amount_text(std::int64_t minor) {
  return std::to_string(minor / 100) + "." + (minor % 100 < 10 ? "0" : "") + std::to_string(minor % 100);
}

/// Pretty-printed with one space per level, as several German banks write it.
std::string transaction(std::size_t i, std::size_t k, std::int64_t minor, bool credit) {
  const std::string n = std::to_string(i) + "-" + std::to_string(k);
  std::string t;
  t += "     <TxDtls>\n      <Refs>\n       <AcctSvcrRef>ASR" + n + "</AcctSvcrRef>\n";
  t += "       <InstrId>INSTR-" + n + "</InstrId>\n       <EndToEndId>E2E-INV-2024-" + n + "</EndToEndId>\n";
  t += "      </Refs>\n      <Amt Ccy=\"EUR\">" + amount_text(minor) + "</Amt>\n";
  t += std::string("      <CdtDbtInd>") + (credit ? "CRDT" : "DBIT") + "</CdtDbtInd>\n";
  t += "      <RltdPties>\n       <Dbtr>\n        <Pty>\n         <Nm>Hans Beispiel " + n +
       "</Nm>\n        </Pty>\n       </Dbtr>\n       <DbtrAcct>\n        <Id>\n"
       "         <IBAN>DE02120300000000202051</IBAN>\n        </Id>\n       </DbtrAcct>\n";
  t += "       <Cdtr>\n        <Pty>\n         <Nm>Muster Wohnen GmbH</Nm>\n        </Pty>\n       </Cdtr>\n"
       "       <CdtrAcct>\n        <Id>\n         <IBAN>DE89370400440532013000</IBAN>\n        </Id>\n"
       "       </CdtrAcct>\n      </RltdPties>\n";
  t += "      <RltdAgts>\n       <DbtrAgt>\n        <FinInstnId>\n         <BICFI>BYLADEM1001</BICFI>\n"
       "        </FinInstnId>\n       </DbtrAgt>\n      </RltdAgts>\n";
  t += "      <RmtInf>\n       <Ustrd>Rechnung INV-2024-" + n +
       " Kd 4711 Miete Januar</Ustrd>\n      </RmtInf>\n"
       "     </TxDtls>\n";
  return t;
}

std::string entry(std::size_t i, std::int64_t& balance) {
  const bool credit = i % 10 != 0;
  const std::size_t parts = i % 25 == 0 ? 3 : 1;
  const std::int64_t part_minor = 1000 + static_cast<std::int64_t>((i * 7919) % 250000);
  const std::int64_t minor = part_minor * static_cast<std::int64_t>(parts);
  balance += credit ? minor : -minor;
  std::string e = "   <Ntry>\n    <Amt Ccy=\"EUR\">" + amount_text(minor) + "</Amt>\n";
  e += std::string("    <CdtDbtInd>") + (credit ? "CRDT" : "DBIT") + "</CdtDbtInd>\n";
  e += "    <Sts>\n     <Cd>BOOK</Cd>\n    </Sts>\n    <BookgDt>\n     <Dt>2024-01-31</Dt>\n    </BookgDt>\n";
  e += "    <ValDt>\n     <Dt>2024-01-31</Dt>\n    </ValDt>\n";
  e += "    <AcctSvcrRef>2024013100" + std::to_string(i) + "</AcctSvcrRef>\n";
  e += "    <BkTxCd>\n     <Domn>\n      <Cd>PMNT</Cd>\n      <Fmly>\n       <Cd>RCDT</Cd>\n"
       "       <SubFmlyCd>ESCT</SubFmlyCd>\n      </Fmly>\n     </Domn>\n     <Prtry>\n"
       "      <Cd>NTRF+166+931</Cd>\n      <Issr>DK</Issr>\n     </Prtry>\n    </BkTxCd>\n";
  e += "    <NtryDtls>\n";
  for (std::size_t k = 0; k < parts; ++k) e += transaction(i, k, part_minor, credit);
  e += "    </NtryDtls>\n    <AddtlNtryInf>SEPA-GUTSCHRIFT</AddtlNtryInf>\n   </Ntry>\n";
  return e;
}

std::string balance_xml(const char* code, std::int64_t minor) {
  return std::string("      <Bal>\n        <Tp>\n          <CdOrPrtry>\n            <Cd>") + code +
         "</Cd>\n          </CdOrPrtry>\n        </Tp>\n        <Amt Ccy=\"EUR\">" +
         amount_text(minor < 0 ? -minor : minor) + "</Amt>\n        <CdtDbtInd>" +
         (minor < 0 ? "DBIT" : "CRDT") +
         "</CdtDbtInd>\n        <Dt>\n          <Dt>2024-01-31</Dt>\n        </Dt>\n      </Bal>\n";
}

/// Writes the file in pieces, so generating it does not raise the peak RSS.
bool write_statement(const std::string& path, std::size_t entries) {
  std::ofstream out(path, std::ios::binary);
  const std::int64_t opening = 1'000'000'00;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n  <BkToCstmrStmt>\n"
         "    <GrpHdr>\n      <MsgId>BENCH-1</MsgId>\n      <CreDtTm>2024-02-01T06:01:12+01:00</CreDtTm>\n"
         "    </GrpHdr>\n    <Stmt>\n      <Id>STMT-2024-02-01-001</Id>\n      "
         "<ElctrncSeqNb>32</ElctrncSeqNb>\n"
         "      <CreDtTm>2024-02-01T06:01:12+01:00</CreDtTm>\n      <Acct>\n        <Id>\n"
         "          <IBAN>DE89370400440532013000</IBAN>\n        </Id>\n        <Ccy>EUR</Ccy>\n"
         "        <Ownr>\n          <Nm>Muster Wohnen GmbH</Nm>\n        </Ownr>\n        <Svcr>\n"
         "          <FinInstnId>\n            <BICFI>COBADEFFXXX</BICFI>\n          </FinInstnId>\n"
         "        </Svcr>\n      </Acct>\n"
      << balance_xml("OPBD", opening);
  std::int64_t balance = opening;
  std::string chunk;
  for (std::size_t i = 1; i <= entries; ++i) {
    chunk += entry(i, balance);
    if (chunk.size() > (1u << 20)) {
      out << chunk;
      chunk.clear();
    }
  }
  out << chunk;
  // The closing balance comes after the entries here; the schema puts it first, the parser
  // accepts both, and this way the file is written in one pass.
  out << balance_xml("CLBD", balance) << "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n";
  return static_cast<bool>(out);
}

/// A kB figure from /proc/self/status ("VmHWM", "VmRSS", "RssFile", "RssAnon").
long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  return -1;
}

/// CPU seconds of this process: on a shared machine the honest measure of one core's work.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t entries = 100'000;
  const char* keep = nullptr;  // --keep PATH: write the file there and leave it (for profiling)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--entries") == 0 && i + 1 < argc) {
      entries = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
      keep = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--entries N] [--keep PATH]\n", argv[0]);
      return 2;
    }
  }
  std::string path =
      keep != nullptr ? keep : (std::filesystem::temp_directory_path() / "bankrec-camt-bench-XXXXXX").string();
  const int fd =
      keep != nullptr ? open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600) : mkstemp(path.data());
  if (fd < 0 || !write_statement(path, entries)) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  struct stat st {};
  fstat(fd, &st);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (keep == nullptr) unlink(path.c_str());
  if (map == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }

  formats::FormatRegistry registry;
  formats::register_builtin_formats(registry);
  const formats::FormatSpec* spec = registry.find("camt.053");
  const long hwm_before = status_kb("VmHWM");
  const long rss_before = status_kb("VmRSS");
  CountingSink sink;
  const formats::ParseOptions options{.file_name = "bench.xml", .max_input_bytes = 4ULL << 30};
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  const auto result = spec->parse(bankrec::Bytes(static_cast<const std::byte*>(map), size), options, sink);
  const double cpu = cpu_seconds() - cpu_start;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long hwm_after = status_kb("VmHWM");
  if (!result) {
    std::fprintf(stderr, "parse failed: %s\n", result.error().describe().c_str());
    return 1;
  }
  const double mb = static_cast<double>(size) / 1e6;
  // The mapped file's pages count into RSS once read; growth beyond them is the parser's memory.
  const long base = std::max(hwm_before, rss_before);
  const long growth_kb = hwm_after - base - static_cast<long>(size / 1024);
  std::printf("camt.053.001.08: %zu entries (%zu TxDtls in batches), %zu statement(s), %zu warning(s)\n",
              sink.entries, sink.details, sink.statements, sink.warnings);
  std::printf("size        %.1f MB (%.0f bytes/entry)\n", mb,
              static_cast<double>(size) / static_cast<double>(entries));
  std::printf("time        %.3f s CPU, %.3f s wall\n", cpu, seconds);
  std::printf("throughput  %.1f MB/s, %.0f entries/s (CPU time; wall: %.1f MB/s)\n", mb / cpu,
              static_cast<double>(sink.entries) / cpu, mb / seconds);
  std::printf("peak RSS    %ld kB before, %ld kB after; growth beyond the mapped input %.1f MB\n", base,
              hwm_after, static_cast<double>(std::max(growth_kb, 0L)) / 1024.0);
  munmap(map, size);
  return sink.entries == entries ? 0 : 1;
}
