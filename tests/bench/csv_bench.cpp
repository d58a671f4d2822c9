// Benchmark for the CSV reader and the table-profile mapper: writes a Sparkasse "CSV-CAMT V2" export
// with N rows (Windows-1252, every field quoted, umlauts, SEPA references, padded names, every 50th
// line pending) to a temporary file, maps it, and parses it with the sparkasse-camt-v2 profile
// (automatic selection among the shipped profiles when --profiles DIR is given) into a counting
// sink. Prints size, CPU time, MB/s and rows/s. Usage: bench_csv [--entries N] [--profiles DIR].
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
#include "bankrec/formats/profile.h"

namespace {

using bankrec::Result;
namespace domain = bankrec::domain;
namespace formats = bankrec::formats;

// The shipped etc/profiles/sparkasse-camt-v2.yaml without its comments, so the bench runs anywhere.
constexpr const char* kProfile = R"(name: sparkasse-camt-v2
description: Sparkasse CSV-CAMT V2/V8 export
match:
  header: [Auftragskonto, Buchungstag, Valutadatum, Buchungstext, Verwendungszweck, Glaeubiger ID,
           Mandatsreferenz, Kundenreferenz (End-to-End), Sammlerreferenz, Lastschrift Ursprungsbetrag,
           Auslagenersatz Ruecklastschrift, Beguenstigter/Zahlungspflichtiger, Kontonummer/IBAN,
           BIC (SWIFT-Code), Betrag, Waehrung, Info]
csv: {encoding: windows-1252, delimiter: ";"}
columns:
  account: Auftragskonto
  booking_date: Buchungstag
  value_date: Valutadatum
  posting_text: Buchungstext
  purpose: Verwendungszweck
  creditor_id: Glaeubiger ID
  mandate_id: Mandatsreferenz
  end_to_end_id: Kundenreferenz (End-to-End)
  counterparty_name: Beguenstigter/Zahlungspflichtiger
  counterparty_iban: Kontonummer/IBAN
  counterparty_bic: BIC (SWIFT-Code)
  amount: Betrag
  currency: Waehrung
  status: Info
dates: {format: DD.MM.YY}
amounts: {decimal: ","}
status: {pending: [Umsatz vorgemerkt]}
)";

class CountingSink final : public formats::StatementSink {
 public:
  Result<void> set_format(std::string_view) override { return bankrec::ok(); }
  Result<void> begin_statement(const domain::Statement&) override {
    ++statements;
    return bankrec::ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    entries += batch.size();
    for (const auto& e : batch) checksum += e.amount.minor() + static_cast<std::int64_t>(e.remittance ? e.remittance->size() : 0);
    return bankrec::ok();
  }
  Result<void> end_statement(const domain::Statement& s) override {
    warnings += s.warnings.size();
    return bankrec::ok();
  }
  std::size_t statements = 0, entries = 0, warnings = 0;
  std::int64_t checksum = 0;
};

std::string amount_text(std::int64_t minor) {
  const std::int64_t a = minor < 0 ? -minor : minor;
  return std::string(minor < 0 ? "-" : "") + std::to_string(a / 100) + "," + (a % 100 < 10 ? "0" : "") +
         std::to_string(a % 100);
}

std::string row(std::size_t i) {
  const bool credit = i % 7 == 0;
  const std::int64_t minor = (credit ? 1 : -1) * (100 + static_cast<std::int64_t>((i * 7919) % 250000));
  const std::string day = std::to_string(10 + i % 18) + ".01.24";
  const std::string n = std::to_string(i);
  std::string r = "\"DE89370400440532013000\";\"" + day + "\";\"" + day + "\";\"";
  r += credit ? "GUTSCHR. UEBERWEISUNG" : "FOLGELASTSCHRIFT";
  r += "\";\"Rechnung INV-2024-" + n + " Kd 4711 Miete M\xE4rz Whg. 3 \";";
  r += credit ? ";;\"E2E-INV-2024-" + n + "\";" : "\"DE98ZZZ09999999999\";\"MR-" + n + "\";\"NOTPROVIDED\";";
  r += "\"\";;;\"M\xFCller Wohnen GmbH                              \";\"DE02120300000000202051\";\"BYLADEM1001\";\"";
  r += amount_text(minor) + "\";\"EUR\";\"" + (i % 50 == 0 ? "Umsatz vorgemerkt" : "Umsatz gebucht") + "\"\r\n";
  return r;
}

bool write_file(const std::string& path, std::size_t rows) {
  std::ofstream out(path, std::ios::binary);
  out << "\"Auftragskonto\";\"Buchungstag\";\"Valutadatum\";\"Buchungstext\";\"Verwendungszweck\";\"Glaeubiger ID\";"
         "\"Mandatsreferenz\";\"Kundenreferenz (End-to-End)\";\"Sammlerreferenz\";\"Lastschrift Ursprungsbetrag\";"
         "\"Auslagenersatz Ruecklastschrift\";\"Beguenstigter/Zahlungspflichtiger\";\"Kontonummer/IBAN\";"
         "\"BIC (SWIFT-Code)\";\"Betrag\";\"Waehrung\";\"Info\"\r\n";
  std::string chunk;
  for (std::size_t i = 1; i <= rows; ++i) {
    chunk += row(i);
    if (chunk.size() > (1u << 20)) {
      out << chunk;
      chunk.clear();
    }
  }
  out << chunk;
  return static_cast<bool>(out);
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 100'000;
  const char* profiles_dir = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--entries") == 0 && i + 1 < argc) {
      rows = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--profiles") == 0 && i + 1 < argc) {
      profiles_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--entries N] [--profiles DIR]\n", argv[0]);
      return 2;
    }
  }
  auto profiles = profiles_dir != nullptr ? formats::ProfileSet::load_directory(profiles_dir)
                                          : formats::ProfileSet::from_sources({{"bench.yaml", kProfile}});
  if (!profiles) {
    std::fprintf(stderr, "profiles: %s\n", profiles.error().describe().c_str());
    return 1;
  }
  std::string path = (std::filesystem::temp_directory_path() / "bankrec-csv-bench-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0 || !write_file(path, rows)) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  struct stat st {};
  fstat(fd, &st);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  unlink(path.c_str());
  if (map == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  formats::FormatRegistry registry;
  formats::register_builtin_formats(registry);
  const formats::FormatSpec* spec = registry.find("csv");
  CountingSink sink;
  const formats::ParseOptions options{.file_name = "bench.csv", .max_input_bytes = 4ULL << 30, .profiles = &*profiles};
  const long rss_before = status_kb("VmRSS");
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  const auto result = spec->parse(bankrec::Bytes(static_cast<const std::byte*>(map), size), options, sink);
  const double cpu = cpu_seconds() - cpu_start;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result) {
    std::fprintf(stderr, "parse failed: %s\n", result.error().describe().c_str());
    return 1;
  }
  const double mb = static_cast<double>(size) / 1e6;
  std::printf("csv (sparkasse-camt-v2, windows-1252): %zu rows, %zu statement(s), %zu warning(s)\n", sink.entries,
              sink.statements, sink.warnings);
  std::printf("size        %.1f MB (%.0f bytes/row)\n", mb, static_cast<double>(size) / static_cast<double>(rows));
  std::printf("time        %.3f s CPU, %.3f s wall\n", cpu, seconds);
  std::printf("throughput  %.1f MB/s, %.0f rows/s (CPU time; wall: %.1f MB/s)\n", mb / cpu,
              static_cast<double>(sink.entries) / cpu, mb / seconds);
  std::printf("peak RSS    %ld kB before, %ld kB peak\n", rss_before, status_kb("VmHWM"));
  munmap(map, size);
  return sink.entries == rows ? 0 : 1;
}
