// libFuzzer target for the CSV reader and the table-profile mapper: sniffs and parses every input with
// the csv format against a fixed set of profiles (a Sparkasse-like quoted layout, an ING-like layout
// with preamble values and a running balance, a sign-column layout with debit/credit columns, a
// headerless layout), strict and lenient, with detected and forced charsets, through a sink that checks
// the call order. Crashes, sanitizer reports and hangs are bugs; parse errors are expected. Seeded with
// tests/fixtures/formats/csv*.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bankrec/formats/format_registry.h"
#include "checking_sink.h"
#include "bankrec/formats/profile.h"

namespace {

constexpr const char* kQuoted = R"(name: quoted
match: {header: [Auftragskonto, Buchungstag, Valutadatum, Verwendungszweck, Betrag, Waehrung, Info]}
csv: {encoding: windows-1252, delimiter: ";"}
columns: {account: Auftragskonto, booking_date: Buchungstag, value_date: Valutadatum,
          purpose: Verwendungszweck, amount: Betrag, currency: Waehrung, status: Info}
dates: {format: DD.MM.YY}
status: {pending: [Umsatz vorgemerkt], skip: [x]}
sepa_keywords: true
)";
constexpr const char* kPreamble = R"(name: preamble
match: {header: [Buchung, Empfaenger, Verwendungszweck, Saldo, Betrag, Waehrung], preamble: [Umsatzanzeige]}
csv: {delimiter: ";"}
columns: {booking_date: Buchung, counterparty_name: {credit: Empfaenger, debit: Verwendungszweck},
          purpose: [Verwendungszweck, Empfaenger], balance_after: {name: Saldo, optional: true},
          amount: Betrag, currency: {name: Waehrung, occurrence: last}}
preamble: {account_iban: {label: IBAN}, period: {label: Zeitraum}, closing_balance: {label: Saldo, cell: 2, currency_cell: 3},
           opening_balance: {line: 2, cell: 2}}
extract:
  - {from: purpose, field: end_to_end_id, pattern: 'E2E:\s*(\S+)', cut: true}
)";
constexpr const char* kSign = R"(name: sign
match: {header: [Tag, Soll, Haben, SH, Text], file_name: '\.txt$'}
csv: {delimiter: auto, encoding: auto}
columns: {booking_date: Tag, debit: Soll, credit: Haben, sign: SH, purpose: Text}
dates: {format: auto}
amounts: {decimal: auto}
)";
constexpr const char* kHeaderless = R"(name: headerless
match: {has_header: false, columns: 4}
csv: {delimiter: ","}
columns: {booking_date: {index: 1}, amount: {index: 2}, purpose: {index: 3}, account: {index: 4}}
dates: {format: M/D/YYYY}
amounts: {decimal: "."}
)";

const bankrec::formats::ProfileSet& profiles() {
  static const bankrec::formats::ProfileSet set = [] {
    auto s = bankrec::formats::ProfileSet::from_sources(
        {{"q.yaml", kQuoted}, {"p.yaml", kPreamble}, {"s.yaml", kSign}, {"h.yaml", kHeaderless}});
    if (!s) std::abort();
    return *s;
  }();
  return set;
}

const bankrec::formats::FormatSpec& csv() {
  const auto* spec = bankrec::fuzz::builtin_registry().find("csv");
  if (spec == nullptr) std::abort();
  return *spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(reinterpret_cast<const char*>(data), size));
  const auto& spec = csv();
  (void)spec.sniff(bytes.first(std::min(size, bankrec::formats::kSniffBytes)));
  const char* encodings[] = {"", "iso-8859-1"};
  for (bool lenient : {false, true}) {
    for (const char* encoding : encodings) {
      bankrec::fuzz::CheckingSink sink("csv:");
      bankrec::formats::ParseOptions options;
      options.file_name = "fuzz.txt";
      options.lenient = lenient;
      options.encoding = encoding;
      options.profiles = &profiles();
      const auto result = spec.parse(bytes, options, sink);
      if (!result && result.error().message.empty()) std::abort();
    }
  }
  return 0;
}
