// PDF statements: poppler extracts the text layer (pdf_text.cpp), a `kind: pdf` layout profile
// (pdf_profile.cpp) says which lines are the header, the balances and the entries. The opening
// balance plus the entries must give the closing balance printed on the statement.
#include "builtin_formats.h"

#include <algorithm>

#include "bankrec/base/text.h"
#include "bankrec/domain/iban.h"
#include "bankrec/domain/sepa.h"
#include "bankrec/formats/profile.h"
#include "pdf/pdf_profile.h"
#include "pdf/pdf_text.h"
#include "profiles/profile_set_impl.h"

namespace bankrec::formats {
namespace {

constexpr std::size_t kMaxPages = 2000;
constexpr std::size_t kMaxLineBytes = 2000;  // std::regex recurses per character: bound the subject

struct Line {
  std::string text;          ///< at most kMaxLineBytes
  std::uint32_t page = 0;    ///< 1-based
  std::uint32_t number = 0;  ///< 1-based within the page
};

Unexpected pdf_error(const ParseOptions& options, const Line* at, std::string message) {
  std::string where(options.file_name.empty() ? "<input>" : options.file_name);
  if (at != nullptr)
    where += " (page " + std::to_string(at->page) + ", line " + std::to_string(at->number) + ")";
  return Unexpected{Error{Errc::invalid_input, std::move(message), std::move(where)}};
}

/// The match refers into `line`, which lives as long as the parse.
bool search(const PdfPattern& p, const Line& line, std::smatch& m) {
  return std::regex_search(line.text, m, p.regex);
}

/// Every detect pattern matches some line: the number of patterns that matched, and the first that did not.
std::pair<std::size_t, const PdfPattern*> score(const PdfProfile& p, const std::vector<Line>& lines) {
  std::size_t hits = 0;
  const PdfPattern* missing = nullptr;
  std::smatch m;
  for (const auto& d : p.detect) {
    const bool found =
        std::any_of(lines.begin(), lines.end(), [&](const Line& l) { return search(d, l, m); });
    if (found)
      ++hits;
    else if (missing == nullptr)
      missing = &d;
  }
  return {hits, missing};
}

Result<const PdfProfile*> choose_profile(const std::vector<Line>& lines, const ParseOptions& options) {
  const std::vector<PdfProfile> none;
  const auto& profiles = options.profiles != nullptr ? options.profiles->impl().pdf : none;
  if (!options.profile.empty()) {
    for (const auto& p : profiles)
      if (p.name == options.profile) return &p;
    return pdf_error(options, nullptr, "no pdf profile named '" + std::string(options.profile) + "'");
  }
  if (profiles.empty())
    return pdf_error(
        options, nullptr,
        "no pdf layout profile is loaded; a PDF statement needs one (a `kind: pdf` file in the profile "
        "directory, see etc/profiles/example-bank-pdf.yaml)");
  std::vector<std::tuple<std::size_t, const PdfProfile*, const PdfPattern*>> ranked;
  for (const auto& p : profiles) {
    const auto [hits, missing] = score(p, lines);
    if (missing == nullptr) return &p;
    ranked.emplace_back(hits, &p, missing);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::string why;
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
    const auto& [hits, p, missing] = ranked[i];
    why += (i == 0 ? "" : "; ") + p->name + " (" + std::to_string(hits) + "/" +
           std::to_string(p->detect.size()) + " markers, no line matches '" + missing->source + "')";
  }
  return pdf_error(options, nullptr, "no pdf profile recognises this statement; closest: " + why);
}

/// Reads an entry's or a balance's amount: `amount` (signed, or with a sign group), or `debit`/`credit`.
class Mapper {
 public:
  Mapper(const PdfProfile& p, const ParseOptions& options, const std::vector<Line>& lines)
      : p_(p), options_(options), lines_(lines) {}

  Result<void> run(StatementSink& sink);

 private:
  Result<domain::Money> money(const PdfPattern& pat, const std::smatch& m, const Line& line) const;
  Result<domain::Date> date(std::string_view text, const Line& line, std::string_view what) const;
  Result<void> read_header();
  Result<std::optional<std::pair<domain::Balance, const Line*>>> balance(const std::optional<PdfPattern>& pat,
                                                                         std::string_view what);
  Result<void> read_entries();
  Result<void> check(const domain::Balance& opening, const Line& open_at, const domain::Balance& closing,
                     const Line& close_at) const;

  const PdfProfile& p_;
  const ParseOptions& options_;
  const std::vector<Line>& lines_;
  domain::Currency currency_{};
  domain::Statement s_;
  std::optional<int> year_;
};

Result<domain::Money> Mapper::money(const PdfPattern& pat, const std::smatch& m, const Line& line) const {
  std::string text = pat.value(m, "amount");
  int direction = 0;  // +1 credit, -1 debit, 0 as signed
  if (text.empty()) {
    const std::string debit = pat.value(m, "debit"), credit = pat.value(m, "credit");
    if (!debit.empty() == !credit.empty())
      return pdf_error(options_, &line,
                       "the entry has " + std::string(debit.empty() ? "neither" : "both") +
                           " a debit and a credit amount");
    text = debit.empty() ? credit : debit;
    direction = debit.empty() ? 1 : -1;
  }
  const std::string sign = std::string(text::trim(pat.value(m, "sign")));
  if (!sign.empty()) {
    if (std::find(p_.credit_signs.begin(), p_.credit_signs.end(), sign) != p_.credit_signs.end())
      direction = 1;
    else if (std::find(p_.debit_signs.begin(), p_.debit_signs.end(), sign) != p_.debit_signs.end())
      direction = -1;
    else
      return pdf_error(options_, &line, "unknown sign '" + sign + "' (not in credit_signs or debit_signs)");
  }
  auto amount = domain::parse_amount(text, currency_, p_.decimal_separator);
  if (!amount) return pdf_error(options_, &line, "invalid amount '" + text + "': " + amount.error().message);
  if (direction != 0 && amount->is_negative() != (direction < 0)) amount = BANKREC_TRY(amount->negate());
  return *amount;
}

/// Dates as the profile's order says; "31.01." without a year takes the statement's year (from a
/// `year` header group, else the period's end), one less for a month after the period's end.
Result<domain::Date> Mapper::date(std::string_view text, const Line& line, std::string_view what) const {
  const std::string_view t = text::trim(text);
  if (auto d = domain::parse_date(t, p_.date_order)) return *d;
  unsigned a = 0, b = 0;
  std::size_t i = 0, digits_a = 0, digits_b = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9' && digits_a < 2)
    a = a * 10 + static_cast<unsigned>(t[i++] - '0'), ++digits_a;
  const bool sep = i < t.size() && (t[i] == '.' || t[i] == '/' || t[i] == '-');
  if (sep) ++i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9' && digits_b < 2)
    b = b * 10 + static_cast<unsigned>(t[i++] - '0'), ++digits_b;
  if (i < t.size() && (t[i] == '.' || t[i] == '/')) ++i;
  domain::Date reference{};
  const bool has_reference = s_.to_date || (s_.closing_balance && s_.closing_balance->date);
  if (has_reference) reference = s_.to_date ? *s_.to_date : *s_.closing_balance->date;
  if (!sep || digits_a == 0 || digits_b == 0 || i != t.size() || (!year_ && !has_reference))
    return pdf_error(options_, &line, "invalid " + std::string(what) + " '" + std::string(t) + "'");
  const unsigned day = p_.date_order == domain::DateOrder::dmy ? a : b;
  const unsigned month = p_.date_order == domain::DateOrder::dmy ? b : a;
  int year = year_ ? *year_ : reference.year;
  if (!year_ && month > reference.month) --year;  // a December entry on a January statement
  auto d = domain::Date::make(year, month, day);
  if (!d) return pdf_error(options_, &line, "invalid " + std::string(what) + " '" + std::string(t) + "'");
  return *d;
}

Result<void> Mapper::read_header() {
  std::smatch m;
  auto set = [](std::optional<std::string>& field, const std::string& v) {
    if (!field && !v.empty()) field = v;
  };
  std::optional<std::string> iban, currency, from, to, year;
  const Line* from_at = nullptr;
  const Line* to_at = nullptr;
  for (const auto& pat : p_.header)
    for (const auto& line : lines_) {
      if (!search(pat, line, m)) continue;
      set(iban, pat.value(m, "iban"));
      set(s_.account.bic, pat.value(m, "bic"));
      set(s_.account.number, pat.value(m, "number"));
      set(s_.account.bank_code, pat.value(m, "bank_code"));
      set(s_.account.owner, std::string(text::trim(pat.value(m, "owner"))));
      set(currency, pat.value(m, "currency"));
      set(s_.id, pat.value(m, "id"));
      set(s_.sequence, pat.value(m, "sequence"));
      if (!from && !pat.value(m, "from_date").empty()) from_at = &line;
      if (!to && !pat.value(m, "to_date").empty()) to_at = &line;
      set(from, pat.value(m, "from_date"));
      set(to, pat.value(m, "to_date"));
      set(year, pat.value(m, "year"));
      break;  // the first line a header pattern matches
    }
  if (currency) {
    const auto c = domain::Currency::find(*currency);
    if (!c)
      return pdf_error(options_, nullptr, "unknown currency '" + *currency + "' in the statement header");
    currency_ = *c;
  }
  s_.account.currency = std::string(currency_.str());
  if (iban) {
    auto parsed = domain::Iban::parse(*iban);
    if (!parsed)
      return pdf_error(options_, nullptr, "invalid IBAN '" + *iban + "': " + parsed.error().message);
    s_.account.iban = parsed->electronic();
  }
  if (year) year_ = std::stoi(year->substr(0, 4));
  if (to) s_.to_date = BANKREC_TRY(date(*to, *to_at, "end date"));
  if (from) s_.from_date = BANKREC_TRY(date(*from, *from_at, "start date"));
  return ok();
}

Result<std::optional<std::pair<domain::Balance, const Line*>>> Mapper::balance(
    const std::optional<PdfPattern>& pat, std::string_view what) {
  using Found = std::optional<std::pair<domain::Balance, const Line*>>;
  if (!pat) return Found();
  std::smatch m;
  const Line* at = nullptr;
  // The opening balance is the first matching line, the closing balance the last one (a
  // multi-page statement may repeat carried-over balances).
  for (const auto& line : lines_)
    if (search(*pat, line, m)) {
      at = &line;
      if (what == "opening") break;
    }
  if (at == nullptr)
    return pdf_error(options_, nullptr,
                     "no " + std::string(what) + " balance: no line matches '" + pat->source + "'");
  search(*pat, *at, m);
  domain::Balance b;
  b.amount = BANKREC_TRY(money(*pat, m, *at));
  if (const std::string d = pat->value(m, "date"); !d.empty())
    b.date = BANKREC_TRY(date(d, *at, std::string(what) + " balance date"));
  b.type = what == "opening" ? "OPBD" : "CLBD";
  return Found(std::pair{b, at});
}

Result<void> Mapper::check(const domain::Balance& opening, const Line& open_at,
                           const domain::Balance& closing, const Line& close_at) const {
  domain::Money sum(0, currency_);
  for (const auto& e : s_.entries) sum = BANKREC_TRY(sum.add(e.amount));
  const domain::Money expected = BANKREC_TRY(opening.amount.add(sum));
  if (expected == closing.amount) return ok();
  return pdf_error(options_, &close_at,
                   "closing balance " + closing.amount.to_string() + " does not match the opening balance " +
                       opening.amount.to_string() + " (page " + std::to_string(open_at.page) + ", line " +
                       std::to_string(open_at.number) + ") plus the " + std::to_string(s_.entries.size()) +
                       " entries' sum " + sum.to_string() + " = " + expected.to_string());
}

void append(std::optional<std::string>& field, std::string_view text) {
  const std::string_view t = text::trim(text);
  if (t.empty()) return;
  if (!field || field->empty())
    field = std::string(t);
  else
    *field += " " + std::string(t);
}

Result<void> Mapper::read_entries() {
  std::smatch m;
  domain::Entry* open = nullptr;
  std::size_t continuation = 0;
  for (const auto& line : lines_) {
    if (search(p_.entry_start, line, m)) {
      domain::Entry e;
      e.amount = BANKREC_TRY(money(p_.entry_start, m, line));
      e.booking_date = BANKREC_TRY(date(p_.entry_start.value(m, "booking_date"), line, "booking date"));
      if (const std::string v = p_.entry_start.value(m, "value_date"); !v.empty())
        e.value_date = BANKREC_TRY(date(v, line, "value date"));
      append(e.posting_text, p_.entry_start.value(m, "posting_text"));
      append(e.counterparty.name, p_.entry_start.value(m, "counterparty"));
      append(e.remittance, p_.entry_start.value(m, "remittance"));
      append(e.bank_reference, p_.entry_start.value(m, "reference"));
      s_.entries.push_back(std::move(e));
      open = &s_.entries.back();
      continuation = 0;
      continue;
    }
    if (text::trim(line.text).empty() || std::any_of(p_.ignore.begin(), p_.ignore.end(),
                                                     [&](const PdfPattern& i) { return search(i, line, m); }))
      continue;  // blank lines and page furniture: the entry's purpose may go on after them
    if (open != nullptr && p_.continuation && search(*p_.continuation, line, m)) {
      const PdfTextField f =
          p_.continuation_fields[std::min(continuation++, p_.continuation_fields.size() - 1)];
      const std::string text = p_.continuation->value(m, "text");
      if (f == PdfTextField::remittance) append(open->remittance, text);
      if (f == PdfTextField::counterparty) append(open->counterparty.name, text);
      if (f == PdfTextField::posting_text) append(open->posting_text, text);
      if (f == PdfTextField::reference) append(open->bank_reference, text);
      continue;
    }
    open = nullptr;  // any other line ends the entry
  }
  return ok();
}

Result<void> Mapper::run(StatementSink& sink) {
  currency_ = p_.currency;
  BANKREC_TRY(read_header());
  const auto opening = BANKREC_TRY(balance(p_.opening_balance, "opening"));
  const auto closing = BANKREC_TRY(balance(p_.closing_balance, "closing"));
  if (opening) s_.opening_balance = opening->first;
  if (closing) s_.closing_balance = closing->first;
  if (!s_.to_date && s_.closing_balance && s_.closing_balance->date) s_.to_date = s_.closing_balance->date;
  BANKREC_TRY(read_entries());
  for (auto& e : s_.entries) {  // SEPA keywords in the purpose (EREF+, MREF+, CRED+), kept in the text too
    if (!e.remittance) continue;
    const domain::SepaPurpose sepa = domain::parse_sepa_purpose(*e.remittance);
    if (sepa.eref && *sepa.eref != "NOTPROVIDED") e.end_to_end_id = sepa.eref;
    e.mandate_id = sepa.mref;
    e.creditor_id = sepa.cred;
  }
  if (p_.check_balances && opening && closing)
    BANKREC_TRY(check(opening->first, *opening->second, closing->first, *closing->second));
  if (s_.entries.empty()) s_.warnings.push_back("no line matches the profile's entry pattern");
  BANKREC_TRY(sink.set_format("pdf:" + p_.name));
  domain::Statement header = s_;
  header.entries.clear();
  BANKREC_TRY(sink.begin_statement(header));
  for (std::size_t i = 0; i < s_.entries.size(); i += kEntryBatch) {
    std::vector<domain::Entry> batch(
        s_.entries.begin() + static_cast<std::ptrdiff_t>(i),
        s_.entries.begin() + static_cast<std::ptrdiff_t>(std::min(i + kEntryBatch, s_.entries.size())));
    BANKREC_TRY(sink.add_entries(batch));
  }
  return sink.end_statement(header);
}

int sniff(Bytes head) {
  const std::string_view s = as_text(head.first(std::min(head.size(), kSniffBytes)));
  // The header may follow up to 1 KiB of junk (PDF 1.7, ISO 32000-1 annex H.3, note 1).
  const std::size_t at = s.substr(0, 1024).find("%PDF-");
  return at == std::string_view::npos ? 0 : at == 0 ? 100 : 80;
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  if (input.size() > options.max_input_bytes)
    return pdf_error(options, nullptr,
                     "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                         std::to_string(options.max_input_bytes));
  auto pages = extract_pdf_text(input, kMaxPages);
  if (!pages) return pdf_error(options, nullptr, pages.error().message);
  std::vector<Line> lines;
  for (std::size_t p = 0; p < pages->size(); ++p)
    for (std::size_t l = 0; l < (*pages)[p].lines.size(); ++l)
      lines.push_back({(*pages)[p].lines[l].substr(0, kMaxLineBytes), static_cast<std::uint32_t>(p + 1),
                       static_cast<std::uint32_t>(l + 1)});
  const bool has_text =
      std::any_of(lines.begin(), lines.end(), [](const Line& l) { return !text::trim(l.text).empty(); });
  if (!has_text)
    return pdf_error(
        options, nullptr,
        "the PDF has no text layer (" + std::to_string(pages->size()) +
            " page(s) of images only: a scanned statement?); bankrec reads PDFs with text, so ask the "
            "bank for the electronic statement or a CAMT/MT940/CSV export");
  const PdfProfile* profile = BANKREC_TRY(choose_profile(lines, options));
  Mapper mapper(*profile, options, lines);
  return mapper.run(sink);
}

}  // namespace

FormatSpec pdf_format() {
  return {"pdf", "PDF statement (text layer), mapped by a layout profile", &sniff, &parse};
}

}  // namespace bankrec::formats
