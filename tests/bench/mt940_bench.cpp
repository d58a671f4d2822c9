// MT940 parser benchmark: writes a realistic German MT940 (DK variant: structured :86: with ?00, ?10,
// ?20..?29 carrying SEPA keywords, ?30..?32, umlauts, lines wrapped at 65 characters) with N entries
// to a temporary file, maps it (pre-faulted, so the input's pages are not counted as parser memory),
// parses it with a counting sink and prints size, seconds, MB/s, entries/s and the peak RSS growth.
//   bench_mt940 [--entries N] [--keep] [--input FILE]   (--input parses FILE instead of generating one)
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

class CountingSink final : public bankrec::formats::StatementSink {
 public:
  Result<void> set_format(std::string_view) override { return bankrec::ok(); }
  Result<void> begin_statement(const bankrec::domain::Statement&) override {
    ++statements;
    return bankrec::ok();
  }
  Result<void> add_entries(std::vector<bankrec::domain::Entry>& batch) override {
    entries += batch.size();
    for (const auto& e : batch) remittance_bytes += e.remittance ? e.remittance->size() : 0;
    return bankrec::ok();
  }
  Result<void> end_statement(const bankrec::domain::Statement& header) override {
    warnings += header.warnings.size();
    return bankrec::ok();
  }
  std::size_t statements = 0, entries = 0, warnings = 0, remittance_bytes = 0;
};

/// Appends a :86: value wrapped at 65 characters per line (the tag counts on the first line).
void append_wrapped(std::string& out, const std::string& value) {
  std::size_t width = 61, pos = 0;
  while (pos < value.size()) {
    out.append(value, pos, width);
    out += "\r\n";
    pos += width;
    width = 65;
  }
}

std::string amount_text(long long minor) {
  return std::to_string(minor / 100) + "," + (minor % 100 < 10 ? "0" : "") + std::to_string(minor % 100);
}

const char* const kNames[] = {"Hans Beispiel", "Müller & Söhne GmbH", "Stadtwerke Überlingen AG",
                              "Jörg Weiß",     "Bäckerei Groß KG",    "Ärztehaus Süd eG"};
const char* const kPosting[] = {"SEPA-GUTSCHRIFT", "SEPA-BASISLASTSCHRIFT", "SEPA-UEBERWEISUNG",
                                "KARTENZAHLUNG"};
const char* const kGvc[] = {"166", "105", "177", "106"};

std::string make_entry(std::size_t i, long long& minor_out) {
  const bool credit = i % 3 != 0;
  const long long minor = static_cast<long long>((i * 7919) % 250000 + 100);
  minor_out = credit ? minor : -minor;
  const std::size_t k = i % 4;
  char date[16];
  std::snprintf(date, sizeof date, "24%02zu%02zu", (i / 28) % 12 + 1, i % 28 + 1);
  std::string out = ":61:" + std::string(date) + std::string(date + 2) + (credit ? "C" : "D") +
                    amount_text(minor) + "NTRFNONREF//2024" + std::to_string(1000000 + i) + "\r\n";
  const std::string iban =
      "DE" + std::to_string(10 + i % 89) + "12030000" + std::to_string(1000000000 + i * 13 % 999999999);
  std::string purpose = "EREF+E2E-" + std::to_string(i) + "-INV-2024-" + std::to_string(i % 9999) +
                        " MREF+M-" + std::to_string(i % 777) +
                        " CRED+DE98ZZZ09999999999 SVWZ+Rechnung INV-2024-" + std::to_string(i) +
                        " Kundennummer " + std::to_string(4711 + i % 1000) + " Vielen Dank für Ihren Einkauf";
  std::string value = std::string(kGvc[k]) + "?00" + kPosting[k] + "?10" + std::to_string(9300 + i % 50);
  for (std::size_t p = 0, n = 0; p < purpose.size() && n < 10; ++n) {
    std::size_t end = p, chars = 0;  // 27 characters, not bytes: never split an umlaut
    while (end < purpose.size() && chars < 27) {
      ++end;
      while (end < purpose.size() && (static_cast<unsigned char>(purpose[end]) & 0xC0) == 0x80) ++end;
      ++chars;
    }
    value += "?2" + std::to_string(n) + purpose.substr(p, end - p);
    p = end;
  }
  value += "?30BYLADEM1001?31" + iban + "?32" + kNames[i % 6] + "?34" + std::to_string(900 + i % 99);
  out += ":86:";
  append_wrapped(out, value);
  return out;
}

/// Writes the file in pieces so that the generator's own memory stays small.
std::size_t write_file(const std::string& path, std::size_t entries) {
  std::ofstream f(path, std::ios::binary);
  constexpr std::size_t kPerStatement = 2000;
  long long balance = 1'000'000;
  std::size_t written = 0;
  for (std::size_t first = 0, n = 1; first < entries || first == 0; first += kPerStatement, ++n) {
    std::string chunk = ":20:STARTUMSE\r\n:25:DE89370400440532013000\r\n:28C:" + std::to_string(n) + "/1\r\n";
    chunk += ":60F:C240101EUR" + amount_text(balance) + "\r\n";
    for (std::size_t i = first; i < std::min(entries, first + kPerStatement); ++i) {
      long long minor = 0;
      chunk += make_entry(i, minor);
      balance += minor;
    }
    chunk += ":62F:" + std::string(balance < 0 ? "D" : "C") + "241231EUR" +
             amount_text(balance < 0 ? -balance : balance) + "\r\n-\r\n";
    f << chunk;
    written += chunk.size();
    if (entries == 0) break;
  }
  return written;
}

/// CPU time of this process: on a shared machine it is steadier than wall time.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t entries = 100000;
  bool keep = false;
  std::string input;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--entries" && i + 1 < argc)
      entries = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
    else if (arg == "--input" && i + 1 < argc)
      input = argv[++i];
    else if (arg == "--keep")
      keep = true;
    else {
      std::fprintf(stderr, "usage: %s [--entries N] [--keep] [--input FILE]\n", argv[0]);
      return 2;
    }
  }
  const std::string path =
      !input.empty()
          ? input
          : (std::filesystem::temp_directory_path() / ("bankrec_bench_" + std::to_string(getpid()) + ".sta"))
                .string();
  keep = keep || !input.empty();
  const std::size_t size = !input.empty() ? std::filesystem::file_size(input) : write_file(path, entries);

  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return 1;
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (map == MAP_FAILED) return 1;
  if (std::ofstream clear("/proc/self/clear_refs"); clear) clear << "5";  // resets VmHWM to VmRSS
  const long rss_before = status_kb("VmRSS:");

  bankrec::formats::FormatRegistry registry;
  bankrec::formats::register_builtin_formats(registry);
  const auto* spec = registry.find("mt940");
  if (spec == nullptr) return 1;
  CountingSink sink;
  bankrec::formats::ParseOptions options;
  options.file_name = "bench.sta";
  const auto bytes = std::as_bytes(std::span(static_cast<const char*>(map), size));
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  const auto result = spec->parse(bytes, options, sink);
  const double cpu = cpu_seconds() - cpu_start;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long hwm = status_kb("VmHWM:");
  munmap(map, size);
  close(fd);
  if (!keep) std::filesystem::remove(path);
  if (!result) {
    std::fprintf(stderr, "parse failed: %s\n", result.error().describe().c_str());
    return 1;
  }
  if (input.empty() && (sink.entries != entries || sink.warnings != 0)) {
    std::fprintf(stderr, "expected %zu entries and no warnings, got %zu entries, %zu warnings\n", entries,
                 sink.entries, sink.warnings);
    return 1;
  }
  std::printf("file: %s%s\n", path.c_str(), keep ? "" : " (removed)");
  std::printf("size: %.1f MB, statements: %zu, entries: %zu\n", static_cast<double>(size) / 1e6,
              sink.statements, sink.entries);
  std::printf("wall time: %.3f s, %.1f MB/s, %.0f entries/s\n", seconds,
              static_cast<double>(size) / 1e6 / seconds, static_cast<double>(sink.entries) / seconds);
  std::printf("cpu time:  %.3f s, %.1f MB/s, %.0f entries/s\n", cpu, static_cast<double>(size) / 1e6 / cpu,
              static_cast<double>(sink.entries) / cpu);
  std::printf("peak RSS growth while parsing (VmHWM - VmRSS before, input pre-faulted): %.1f MB\n",
              static_cast<double>(hwm - rss_before) / 1024.0);
  return 0;
}
