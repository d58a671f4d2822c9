// From table rows to statements: one statement per account and currency, entries in file order,
// balances from the preamble or the running-balance column where the file has them.
#include "profiles/table_mapper.h"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "bankrec/domain/iban.h"
#include "bankrec/domain/sepa.h"
#include "profiles/profile_set_impl.h"

namespace bankrec::formats {
namespace {

using domain::Currency;
using domain::Date;
using domain::Money;

std::size_t idx(Field f) { return static_cast<std::size_t>(f); }

std::string_view cell_at(const std::vector<std::string>& row, int cell) {
  if (cell < 0 || static_cast<std::size_t>(cell) >= row.size()) return {};
  return text::trim(row[static_cast<std::size_t>(cell)]);
}

/// An IBAN-shaped value: country letters, two check digits, 10..30 alphanumerics (spaces removed).
std::optional<std::string> iban_shape(std::string_view s) {
  std::string v;
  for (char c : s) {
    if (c == ' ' || c == '\'') continue;
    v += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (v.size() < 14 || v.size() > 34) return std::nullopt;
  if (!std::isalpha(static_cast<unsigned char>(v[0])) || !std::isalpha(static_cast<unsigned char>(v[1])) ||
      !std::isdigit(static_cast<unsigned char>(v[2])) || !std::isdigit(static_cast<unsigned char>(v[3])))
    return std::nullopt;
  for (char c : v)
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
  const auto len = domain::iban_length(std::string_view(v).substr(0, 2));
  if (len && static_cast<std::size_t>(*len) != v.size()) return std::nullopt;
  return v;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Date text from a cell: "28.03.18", "2024-01-31" or a sheet's "2024-01-31T10:00:00".
std::string_view date_part(std::string_view s) {
  if (s.size() > 10 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ')) return s.substr(0, 10);
  const auto space = s.find(' ');
  return space == std::string_view::npos ? s : s.substr(0, space);
}

/// A currency code written inside an amount ("150,00 EUR", "4.093,32 €").
std::optional<Currency> currency_in_text(std::string_view s) {
  if (s.find("\xE2\x82\xAC") != std::string_view::npos) return domain::kEur;
  for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
    const auto up = [&](std::size_t k) { return s[k] >= 'A' && s[k] <= 'Z'; };
    if (!up(i) || !up(i + 1) || !up(i + 2)) continue;
    if ((i > 0 && std::isalpha(static_cast<unsigned char>(s[i - 1]))) ||
        (i + 3 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 3]))))
      continue;
    if (auto c = Currency::find(s.substr(i, 3))) return c;
  }
  return std::nullopt;
}

/// Dates written anywhere in a text ("Zeitraum: 01.01.2024 - 31.01.2024", "Kontostand vom 31.01.2024:").
std::vector<Date> dates_in(std::string_view s, domain::DateOrder order) {
  std::vector<Date> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '/' || s[j] == '-'))
      ++j;
    std::string_view token = s.substr(i, j - i);
    while (!token.empty() && !std::isdigit(static_cast<unsigned char>(token.back()))) token.remove_suffix(1);
    if (auto d = domain::parse_date(token, order)) out.push_back(*d);
    i = j;
  }
  return out;
}

/// A balance the file states after one entry, with that entry's date and amount.
struct BalanceMark {
  Money balance;
  std::optional<Date> date;
  Money amount;
};

/// One statement being built: one account and currency.
struct Group {
  domain::Statement header;
  std::vector<domain::Entry> pending;  ///< entries not yet delivered
  bool begun = false;                  ///< begin_statement was called
  std::optional<BalanceMark> first_balance, last_balance;
  Money booked_sum;  ///< sum of booked entries, for the balance check
  bool sum_ok = true;
  std::optional<Date> min_date, max_date;
};

}  // namespace

/// Everything the mapper needs while it walks the rows.
class Mapper {
 public:
  Mapper(const ProfileFit& fit, const ParseOptions& options, StatementSink& sink)
      : fit_(fit), p_(*fit.profile), options_(options), sink_(sink) {}

  Result<void> start(const Table& head) {
    table_ = &head;
    sheet_ = !head.cell_prefix.empty();
    if (fit_.header_row != kNoRow && fit_.header_row < head.rows.size())
      for (const auto& c : head.rows[fit_.header_row]) header_labels_.emplace_back(text::trim(c));
    return read_preamble(head);
  }

  Result<void> add_rows(const Table& chunk, std::size_t first, const CellLocator& locate,
                        const std::vector<RowWarning>* warnings) {
    table_ = &chunk;
    locate_ = &locate;
    warnings_ = warnings;
    next_warning_ = 0;
    for (std::size_t r = first; r < chunk.rows.size() && !ended_; ++r) {
      auto mapped = map_row(r);
      if (mapped) continue;
      if (!options_.lenient) return Unexpected{std::move(mapped).error()};
      sink_.reject({last_pos_, mapped.error().message});
    }
    // Warnings of rows that were skipped or rejected go to the statement being read.
    if (warnings_ != nullptr && !groups_.empty())
      for (; next_warning_ < warnings_->size(); ++next_warning_)
        groups_.front().header.warnings.push_back(line_of((*warnings_)[next_warning_].row) + ": " +
                                                  (*warnings_)[next_warning_].message);
    return ok();
  }

  Result<void> finish() {
    for (auto& g : groups_) {
      complete_header(g);
      BANKREC_TRY(flush(g, /*all=*/true));
      BANKREC_TRY(sink_.end_statement(g.header));
    }
    return ok();
  }

 private:
  // ---- positions and errors ----
  std::string column_label(int cell) const {
    if (cell >= 0 && static_cast<std::size_t>(cell) < header_labels_.size() &&
        !header_labels_[static_cast<std::size_t>(cell)].empty())
      return "column " + header_labels_[static_cast<std::size_t>(cell)];
    return "column " + std::to_string(cell + 1);
  }
  SourcePos position(std::size_t row, int cell) const {
    const std::size_t c = cell < 0 ? 0 : static_cast<std::size_t>(cell);
    if (locate_ != nullptr && *locate_) return (*locate_)(row, c, column_label(cell));
    SourcePos pos;
    pos.line = table_->row_numbers.empty() ? static_cast<std::uint32_t>(row + 1) : table_->row_numbers[row];
    pos.column = static_cast<std::uint32_t>(c + 1);
    std::string letters;
    for (std::size_t n = c + 1; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    pos.locator = table_->cell_prefix + letters + std::to_string(pos.line) + " (" + column_label(cell) + ")";
    return pos;
  }
  Unexpected row_error(std::size_t row, int cell, std::string message) {
    last_pos_ = position(row, cell);
    return parse_error(options_, last_pos_, std::move(message));
  }
  std::string line_of(std::size_t row) const {
    return "line " + std::to_string(table_->row_numbers.empty() ? row + 1 : table_->row_numbers[row]);
  }

  // ---- cell access ----
  int first_cell(Field f) const {
    const auto& cols = fit_.fields[idx(f)].columns;
    return cols.empty() ? -1 : cols.front();
  }
  std::string_view one(const std::vector<std::string>& row, Field f) const { return cell_at(row, first_cell(f)); }
  /// A text field: its columns joined by one space, runs of white space collapsed.
  std::optional<std::string> text_of(const std::vector<std::string>& row, Field f, bool credit) const {
    const FieldSource& src = p_.field(f);
    const ResolvedField& res = fit_.fields[idx(f)];
    const std::vector<int>& cells = src.columns.empty() ? (credit ? res.credit : res.debit) : res.columns;
    if (cells.size() == 1) {
      const std::string_view v = cell_at(row, cells.front());
      if (v.empty()) return std::nullopt;
      return clean_text(v);
    }
    std::string joined;
    for (int c : cells) {
      const std::string_view v = cell_at(row, c);
      if (v.empty()) continue;
      if (!joined.empty()) joined += ' ';
      joined += v;
    }
    if (joined.empty()) return std::nullopt;
    return clean_text(joined);
  }
  /// Runs of white space collapsed (Sparkasse pads names with dozens of spaces); trimmed input.
  static std::string clean_text(std::string_view v) {
    bool plain = true;
    for (std::size_t i = 0; i < v.size() && plain; ++i)
      plain = !(v[i] == '\t' || v[i] == '\r' || v[i] == '\n' || (v[i] == ' ' && i + 1 < v.size() && v[i + 1] == ' '));
    return plain ? std::string(v) : text::collapse_spaces(v);
  }

  Result<Money> amount_of(std::size_t row, int cell, std::string_view text, Currency currency) {
    char sep = p_.decimal_sep;
    // Sheet readers render numeric cells canonically ("-1234.5") whatever the profile says.
    if (sheet_ && !text.empty() && text.find(',') == std::string_view::npos &&
        text.find_first_not_of("-0123456789.") == std::string_view::npos)
      sep = '.';
    auto m = domain::parse_amount(text, currency, sep);
    if (!m) return row_error(row, cell, m.error().message);
    return *m;
  }

  Result<Currency> currency_of(std::size_t row, const std::vector<std::string>& row_cells) {
    if (const int cell = first_cell(Field::currency); cell >= 0) {
      std::string code(cell_at(row_cells, cell));
      if (!code.empty()) {
        if (code == "\xE2\x82\xAC") return domain::kEur;
        for (char& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (auto c = Currency::find(code)) return *c;
        return row_error(row, cell, "unknown currency '" + code + "'");
      }
    }
    if (p_.currency) return *p_.currency;
    const std::string_view amount = one(row_cells, Field::amount);
    if (auto c = currency_in_text(amount.empty() ? one(row_cells, Field::credit) : amount)) return *c;
    if (auto c = currency_in_text(one(row_cells, Field::debit))) return *c;
    return domain::kEur;
  }

  Result<std::optional<Date>> date_of(std::size_t row, const std::vector<std::string>& cells, Field f) {
    const int cell = first_cell(f);
    const std::string_view v = cell_at(cells, cell);
    if (v.empty()) return std::optional<Date>();
    auto d = domain::parse_date(date_part(v), date_order_);
    if (!d) return row_error(row, cell, d.error().message);
    return std::optional<Date>(*d);
  }

  Result<Money> signed_amount(std::size_t row, const std::vector<std::string>& cells, Currency currency) {
    Money amount;
    if (!p_.field(Field::amount).empty()) {
      const int cell = first_cell(Field::amount);
      const std::string_view v = cell_at(cells, cell);
      if (v.empty()) return row_error(row, cell, "no amount");
      amount = BANKREC_TRY(amount_of(row, cell, v, currency));
    } else {
      const int dc = first_cell(Field::debit), cc = first_cell(Field::credit);
      const std::string_view dv = cell_at(cells, dc), cv = cell_at(cells, cc);
      if (dv.empty() && cv.empty()) return row_error(row, cc, "no amount in the debit or the credit column");
      std::int64_t minor = 0;
      if (!cv.empty()) minor += std::llabs(BANKREC_TRY(amount_of(row, cc, cv, currency)).minor());
      if (!dv.empty()) minor -= std::llabs(BANKREC_TRY(amount_of(row, dc, dv, currency)).minor());
      amount = Money(minor, currency);
    }
    if (const int sc = first_cell(Field::sign); sc >= 0) {
      const std::string mark = header_key(cell_at(cells, sc));
      const bool debit = std::find(p_.debit_marks.begin(), p_.debit_marks.end(), mark) != p_.debit_marks.end();
      const bool credit = std::find(p_.credit_marks.begin(), p_.credit_marks.end(), mark) != p_.credit_marks.end();
      if (!debit && !credit)
        return row_error(row, sc, "unknown debit/credit mark '" + std::string(cell_at(cells, sc)) + "'");
      const std::int64_t abs = std::llabs(amount.minor());
      amount = Money(debit ? -abs : abs, currency);
    }
    return amount;
  }

  // ---- the row ----
  Result<void> map_row(std::size_t r) {
    const auto& cells = table_->rows[r];
    row_warnings_.clear();
    if (std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return text::trim(c).empty(); }))
      return ok();
    if (p_.end_at && ends_data(cells)) {
      ended_ = true;  // this row and every later one (of later chunks too) are no transactions
      return ok();
    }
    if (p_.skip_text_rows && is_text_row(cells)) return ok();
    domain::Entry e;
    if (const int sc = first_cell(Field::status); sc >= 0) {
      const std::string status = status_key(cell_at(cells, sc));
      if (contains(p_.skip_values, status)) return ok();
      if (contains(p_.pending_values, status)) e.status = domain::EntryStatus::pending;
      if (contains(p_.info_values, status)) e.status = domain::EntryStatus::info;
    }
    const Currency currency = BANKREC_TRY(currency_of(r, cells));
    e.amount = BANKREC_TRY(signed_amount(r, cells, currency));
    e.booking_date = BANKREC_TRY(date_of(r, cells, Field::booking_date));
    e.value_date = BANKREC_TRY(date_of(r, cells, Field::value_date));
    if (!e.booking_date && !e.value_date)
      return row_error(r, first_cell(p_.field(Field::booking_date).empty() ? Field::value_date : Field::booking_date),
                       "no booking date");
    if (first_cell(Field::fee) >= 0 && !one(cells, Field::fee).empty())
    {
      const Money fee = BANKREC_TRY(amount_of(r, first_cell(Field::fee), one(cells, Field::fee), currency));
      if (!fee.is_zero()) e.charges = fee;  // PayPal writes "0,00" for no fee
    }
    fill_texts(cells, e);
    std::optional<Money> balance;
    if (const int bc = first_cell(Field::balance_after); bc >= 0 && !cell_at(cells, bc).empty()) {
      const Currency bcur = currency_in_text(cell_at(cells, bc)).value_or(currency);
      balance = BANKREC_TRY(amount_of(r, bc, cell_at(cells, bc), bcur));
    }
    Group& g = group_for(cells, currency);
    if (warnings_ != nullptr)
      while (next_warning_ < warnings_->size() && (*warnings_)[next_warning_].row <= r) {
        const auto& w = (*warnings_)[next_warning_++];
        g.header.warnings.push_back(line_of(w.row) + ": " + w.message);
      }
    for (auto& w : row_warnings_) g.header.warnings.push_back(line_of(r) + ": " + w);
    track(g, e, balance);
    g.pending.push_back(std::move(e));
    // The first statement streams; statements of further accounts wait for the end of the file.
    if (&g == &groups_.front() && g.pending.size() >= kEntryBatch) BANKREC_TRY(flush(g, /*all=*/false));
    return ok();
  }

  /// rows.end_at: the row's first non-empty cell matches the pattern.
  bool ends_data(const std::vector<std::string>& cells) const {
    for (const auto& c : cells) {
      const std::string_view v = text::trim(c);
      if (v.empty()) continue;
      return std::regex_search(v.begin(), v.end(), *p_.end_at);
    }
    return false;
  }

  /// rows.skip_text_rows: no amount (amount, or debit and credit, all empty) and no date in the
  /// date columns (empty or not a date): a note or disclaimer line, not a transaction. A row with
  /// one of the two but not the other is still mapped, and fails with a precise error.
  bool is_text_row(const std::vector<std::string>& cells) const {
    for (const Field f : {Field::amount, Field::debit, Field::credit})
      if (first_cell(f) >= 0 && !one(cells, f).empty()) return false;
    for (const Field f : {Field::booking_date, Field::value_date}) {
      const std::string_view v = first_cell(f) >= 0 ? one(cells, f) : std::string_view();
      if (!v.empty() && domain::parse_date(date_part(v), date_order_).has_value()) return false;
    }
    return true;
  }

  /// Running figures of a statement: period, booked sum, first and last stated balance.
  static void track(Group& g, const domain::Entry& e, const std::optional<Money>& balance) {
    const auto d = e.booking_date ? e.booking_date : e.value_date;
    if (d && (!g.min_date || *d < *g.min_date)) g.min_date = d;
    if (d && (!g.max_date || *d > *g.max_date)) g.max_date = d;
    if (e.status == domain::EntryStatus::booked && g.sum_ok) {
      if (g.booked_sum.is_zero() && g.booked_sum.currency() != e.amount.currency()) g.booked_sum = Money(0, e.amount.currency());
      auto next = g.booked_sum.add(e.amount);
      if (next) g.booked_sum = *next;
      else g.sum_ok = false;
    }
    if (!balance) return;
    const BalanceMark mark{*balance, d, e.amount};
    if (!g.first_balance) g.first_balance = mark;
    g.last_balance = mark;
  }

  Result<void> flush(Group& g, bool all) {
    if (!g.begun) {
      domain::Statement begin = g.header;
      begin.entries.clear();
      BANKREC_TRY(sink_.begin_statement(begin));
      g.begun = true;
    }
    if (g.pending.empty() || (!all && g.pending.size() < kEntryBatch)) return ok();
    for (std::size_t i = 0; i < g.pending.size(); i += kEntryBatch) {
      if (i == 0 && g.pending.size() <= kEntryBatch) {
        BANKREC_TRY(sink_.add_entries(g.pending));
        break;
      }
      const auto from = g.pending.begin() + static_cast<std::ptrdiff_t>(i);
      const auto to = g.pending.begin() + static_cast<std::ptrdiff_t>(std::min(i + kEntryBatch, g.pending.size()));
      std::vector<domain::Entry> batch(std::make_move_iterator(from), std::make_move_iterator(to));
      BANKREC_TRY(sink_.add_entries(batch));
    }
    g.pending.clear();
    return ok();
  }

  static bool contains(const std::vector<std::string>& list, const std::string& v) {
    return !v.empty() && std::find(list.begin(), list.end(), v) != list.end();
  }
  const std::string& status_key(std::string_view v) {
    auto it = status_cache_.find(std::string(v));
    if (it == status_cache_.end()) it = status_cache_.emplace(std::string(v), header_key(v)).first;
    return it->second;
  }

  void set_party_account(domain::Party& party, const std::string& v, const char* what) {
    if (auto iban = iban_shape(v)) {
      party.iban = *iban;
      if (!domain::is_valid_iban(*iban)) row_warnings_.push_back(std::string(what) + " IBAN '" + *iban + "' has a bad checksum");
      return;
    }
    party.account = v;
  }

  void fill_texts(const std::vector<std::string>& cells, domain::Entry& e) {
    const bool credit = e.amount.minor() >= 0;
    std::array<std::optional<std::string>, kFieldCount> t;
    for (std::size_t f = 0; f < kFieldCount; ++f)
      if (!p_.fields[f].empty() && f != idx(Field::amount) && f != idx(Field::debit) && f != idx(Field::credit) &&
          f != idx(Field::fee) && f != idx(Field::balance_after) && f != idx(Field::booking_date) &&
          f != idx(Field::value_date))
        t[f] = text_of(cells, static_cast<Field>(f), credit);
    for (const auto& x : p_.extractions) {
      auto& from = t[idx(x.from)];
      if (!from) continue;
      std::smatch m;
      if (!std::regex_search(*from, m, x.regex) || !m[1].matched) continue;
      if (!t[idx(x.target)] && m[1].length() > 0) t[idx(x.target)] = std::string(text::trim(m[1].str()));
      if (x.cut) {
        std::string rest = m.prefix().str() + " " + m.suffix().str();
        from = text::collapse_spaces(rest);
        if (from->empty()) from.reset();
      }
    }
    auto take = [&](Field f) { return std::move(t[idx(f)]); };
    e.posting_text = take(Field::posting_text);
    if (auto code = take(Field::transaction_code)) e.transaction_code.proprietary = std::move(code);
    e.counterparty.name = take(Field::counterparty_name);
    if (auto v = take(Field::counterparty_iban)) set_party_account(e.counterparty, *v, "counterparty");
    if (auto v = take(Field::counterparty_account)) set_party_account(e.counterparty, *v, "counterparty");
    if (auto v = take(Field::counterparty_bic)) {
      if (all_digits(*v)) e.counterparty.bank_code = std::move(v);
      else e.counterparty.bic = std::move(v);
    }
    if (auto v = take(Field::counterparty_bank_code)) e.counterparty.bank_code = std::move(v);
    e.remittance = take(Field::purpose);
    e.end_to_end_id = take(Field::end_to_end_id);
    e.mandate_id = take(Field::mandate_id);
    e.creditor_id = take(Field::creditor_id);
    e.bank_reference = take(Field::bank_reference);
    e.customer_reference = take(Field::customer_reference);
    e.structured_reference = take(Field::structured_reference);
    if (p_.sepa_keywords && e.remittance) apply_sepa(e);
  }

  /// Sparkasse CSV-MT940 runs the keywords together ("EREF+123MREF+M-1CRED+DE98..."), as the MT940
  /// ?20..?29 subfields were joined: when the text starts with a keyword, a space goes before the
  /// later ones so parse_sepa_purpose() sees them.
  static std::string separate_keywords(const std::string& s) {
    static constexpr std::string_view kTags[] = {"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+"};
    const auto tag_at = [&](std::size_t i) {
      for (auto t : kTags)
        if (std::string_view(s).substr(i).starts_with(t)) return true;
      return false;
    };
    if (s.size() < 5 || !tag_at(0)) return s;
    std::string out;
    out.reserve(s.size() + 16);
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i > 0 && s[i - 1] != ' ' && tag_at(i)) out += ' ';
      out += s[i];
    }
    return out;
  }

  static void apply_sepa(domain::Entry& e) {
    const domain::SepaPurpose sp = domain::parse_sepa_purpose(separate_keywords(*e.remittance));
    if (!sp.has_keywords()) return;
    if (!e.end_to_end_id) e.end_to_end_id = sp.eref;
    if (!e.mandate_id) e.mandate_id = sp.mref;
    if (!e.creditor_id) e.creditor_id = sp.cred;
    if (!e.customer_reference) e.customer_reference = sp.kref;
    if (!e.counterparty.iban && sp.iban) e.counterparty.iban = sp.iban;
    if (!e.counterparty.bic && sp.bic) e.counterparty.bic = sp.bic;
    if (sp.svwz) e.remittance = sp.svwz;
    else e.remittance = sp.leading_text;
  }

  // ---- statements ----
  Group& group_for(const std::vector<std::string>& cells, Currency currency) {
    const int ac = first_cell(Field::account);
    const std::string_view raw = ac >= 0 ? cell_at(cells, ac) : std::string_view();
    if (!groups_.empty() && raw == last_account_raw_ && currency == last_currency_) return groups_[last_group_];
    domain::Account account = preamble_account_;
    std::string v(raw);
    std::erase(v, '\'');
    if (!v.empty()) {
      account.iban.reset();
      account.number.reset();
      if (auto iban = iban_shape(v)) account.iban = *iban;
      else account.number = v;
    }
    auto set_if = [&](std::optional<std::string>& target, Field f) {
      if (first_cell(f) >= 0 && !one(cells, f).empty()) target = text::collapse_spaces(one(cells, f));
    };
    set_if(account.bic, Field::account_bic);
    set_if(account.name, Field::account_name);
    set_if(account.owner, Field::account_owner);
    set_if(account.servicer, Field::account_bank);
    account.currency = std::string(currency.str());
    const std::string key = account.iban.value_or("") + "|" + account.number.value_or("") + "|" + *account.currency;
    auto it = group_index_.find(key);
    if (it == group_index_.end()) {
      it = group_index_.emplace(key, groups_.size()).first;
      groups_.emplace_back();
      Group& g = groups_.back();
      g.header.account = std::move(account);
      g.header.from_date = period_from_;
      g.header.to_date = period_to_;
      g.booked_sum = Money(0, currency);
      g.pending.reserve(kEntryBatch);
    }
    last_account_raw_ = std::string(raw);
    last_currency_ = currency;
    last_group_ = it->second;
    return groups_[last_group_];
  }

  Result<void> read_preamble(const Table& head) {
    date_order_ = p_.date_order;
    if (p_.date_order_auto) {
      std::vector<std::string_view> values;
      const int dc = first_cell(p_.field(Field::booking_date).empty() ? Field::value_date : Field::booking_date);
      for (std::size_t r = fit_.first_data_row; r < head.rows.size() && values.size() < 2000; ++r)
        values.push_back(date_part(cell_at(head.rows[r], dc)));
      date_order_ = domain::detect_date_order(values).value_or(domain::DateOrder::dmy);
    }
    const std::size_t end = fit_.header_row == kNoRow ? 0 : fit_.header_row;
    if (auto v = preamble_cell(p_.account_iban, end)) {
      if (auto iban = iban_shape(v->text)) preamble_account_.iban = *iban;
      else preamble_account_.number = v->text;
    }
    if (auto v = preamble_cell(p_.account_bic, end)) preamble_account_.bic = v->text;
    if (auto v = preamble_cell(p_.account_name, end)) preamble_account_.name = v->text;
    if (auto v = preamble_cell(p_.account_owner, end)) preamble_account_.owner = v->text;
    if (auto v = preamble_cell(p_.period, end)) {
      const auto dates = dates_in(v->text, date_order_);
      if (!dates.empty()) period_from_ = dates.front(), period_to_ = dates.back();
    }
    opening_ = BANKREC_TRY(preamble_balance(p_.opening_balance, end));
    closing_ = BANKREC_TRY(preamble_balance(p_.closing_balance, end));
    return ok();
  }

  struct Found {
    std::string text;
    std::size_t row;
    int cell;
  };
  std::optional<Found> preamble_cell(const PreambleValue& v, std::size_t end) const {
    if (!v.set()) return std::nullopt;
    if (!v.under.empty()) return cell_under(v.under, end);
    for (std::size_t r = 0; r < end && r < table_->rows.size(); ++r) {
      const auto& row = table_->rows[r];
      if (v.line != 0 && r + 1 != v.line) continue;
      if (!v.label.empty()) {
        std::size_t first = 0;
        while (first < row.size() && text::trim(row[first]).empty()) ++first;
        if (first == row.size() || !header_key(row[first]).starts_with(v.label)) continue;
      }
      const std::string_view cell = cell_at(row, static_cast<int>(v.cell) - 1);
      if (cell.empty()) return std::nullopt;
      return Found{text::collapse_spaces(cell), r, static_cast<int>(v.cell) - 1};
    }
    return std::nullopt;
  }

  /// `under: CAPTION`: the first cell before `end` that reads CAPTION, and the value in the same
  /// column of the next non-blank row (captions over values: "Sold initial | Sold final").
  std::optional<Found> cell_under(const std::string& caption, std::size_t end) const {
    const std::size_t last = std::min(end, table_->rows.size());
    for (std::size_t r = 0; r < last; ++r) {
      const auto& row = table_->rows[r];
      for (std::size_t c = 0; c < row.size(); ++c) {
        if (row[c].size() > 200 || header_key(row[c]) != caption) continue;
        std::size_t below = r + 1;
        while (below < last && std::all_of(table_->rows[below].begin(), table_->rows[below].end(),
                                           [](const std::string& s) { return text::trim(s).empty(); }))
          ++below;
        if (below == last) return std::nullopt;
        const std::string_view value = cell_at(table_->rows[below], static_cast<int>(c));
        if (value.empty()) return std::nullopt;
        return Found{text::collapse_spaces(value), below, static_cast<int>(c)};
      }
    }
    return std::nullopt;
  }

  Result<std::optional<domain::Balance>> preamble_balance(const PreambleValue& v, std::size_t end) {
    const auto found = preamble_cell(v, end);
    if (!found) return std::optional<domain::Balance>();
    const auto& row = table_->rows[found->row];
    Currency currency = p_.currency.value_or(domain::kEur);
    if (v.currency_cell != 0) {
      if (auto c = Currency::find(cell_at(row, static_cast<int>(v.currency_cell) - 1))) currency = *c;
    } else if (auto c = currency_in_text(found->text)) {
      currency = *c;
    }
    domain::Balance b;
    b.amount = BANKREC_TRY(amount_of(found->row, found->cell, found->text, currency));
    std::string label_text;
    for (const auto& c : row) label_text += c + " ";
    const auto dates = dates_in(label_text, date_order_);
    if (!dates.empty()) b.date = dates.back();
    return std::optional<domain::Balance>(b);
  }

  /// The end header: preamble balances, else those the running balance implies (the newest
  /// stated balance closes; the oldest minus its entry opens, whichever order the file lists),
  /// the period, and a warning when the balances and the booked entries disagree.
  void complete_header(Group& g) const {
    domain::Statement& h = g.header;
    const bool only = groups_.size() == 1;
    const std::string currency = h.account.currency.value_or("");
    if (opening_ && (only || currency == opening_->amount.currency().str())) h.opening_balance = opening_;
    if (closing_ && (only || currency == closing_->amount.currency().str())) h.closing_balance = closing_;
    if (g.first_balance) {
      const BalanceMark& a = *g.first_balance;
      const BalanceMark& b = *g.last_balance;
      const bool newest_first = a.date && b.date && *a.date > *b.date;
      const BalanceMark& oldest = newest_first ? b : a;
      const BalanceMark& newest = newest_first ? a : b;
      if (!h.closing_balance) h.closing_balance = domain::Balance{newest.balance, newest.date, std::nullopt};
      if (!h.opening_balance)
        if (auto open = oldest.balance.subtract(oldest.amount))
          h.opening_balance = domain::Balance{*open, std::nullopt, std::nullopt};
    }
    if (h.closing_balance && !h.closing_balance->date && period_to_) h.closing_balance->date = period_to_;
    if (h.opening_balance && !h.opening_balance->date && period_from_) h.opening_balance->date = period_from_;
    h.from_date = period_from_ ? period_from_ : g.min_date;
    h.to_date = period_to_ ? period_to_ : g.max_date;
    if (!h.opening_balance || !h.closing_balance || !g.sum_ok) return;
    auto sum = h.opening_balance->amount.add(g.booked_sum);
    if (!sum || *sum == h.closing_balance->amount) return;
    h.warnings.push_back("opening balance + entries = " + sum->to_string() +
                         ", closing balance = " + h.closing_balance->amount.to_string());
  }

  const ProfileFit& fit_;
  const TableProfile& p_;
  const ParseOptions& options_;
  StatementSink& sink_;
  const Table* table_ = nullptr;
  const CellLocator* locate_ = nullptr;
  const std::vector<RowWarning>* warnings_ = nullptr;
  std::vector<std::string> header_labels_;
  bool sheet_ = false;
  domain::DateOrder date_order_ = domain::DateOrder::dmy;
  SourcePos last_pos_;
  domain::Account preamble_account_;
  std::optional<Date> period_from_, period_to_;
  std::optional<domain::Balance> opening_, closing_;
  std::deque<Group> groups_;
  std::unordered_map<std::string, std::size_t> group_index_;
  std::string last_account_raw_;
  Currency last_currency_;
  std::size_t last_group_ = 0;
  std::unordered_map<std::string, std::string> status_cache_;
  std::vector<std::string> row_warnings_;
  std::size_t next_warning_ = 0;
  bool ended_ = false;  ///< rows.end_at matched: the data rows are over
};

TableMapper::TableMapper(const ProfileFit& fit, const ParseOptions& options, StatementSink& sink)
    : impl_(std::make_unique<Mapper>(fit, options, sink)) {}
TableMapper::~TableMapper() = default;
Result<void> TableMapper::start(const Table& head) { return impl_->start(head); }
Result<void> TableMapper::add_rows(const Table& chunk, std::size_t first, const CellLocator& locate,
                                   const std::vector<RowWarning>* warnings) {
  return impl_->add_rows(chunk, first, locate, warnings);
}
Result<void> TableMapper::finish() { return impl_->finish(); }


Result<void> parse_tables(std::string_view format, const std::vector<Table>& tables, const ParseOptions& options,
                          StatementSink& sink) {
  std::vector<std::string> names;
  std::vector<ProfileFit> fits;
  std::vector<std::size_t> sheet_of;
  if (options.profiles != nullptr) {
    const auto& impl = options.profiles->impl();
    for (const auto& p : impl.tables) names.push_back(p.name);
    for (std::size_t t = 0; t < tables.size(); ++t) {
      const TableHead head(tables[t]);
      for (const auto& p : impl.tables) {
        fits.push_back(fit_profile(p, tables[t], head, options.file_name));
        sheet_of.push_back(t);
      }
    }
  }
  const ProfileFit chosen = BANKREC_TRY(choose_fit(fits, options, names));
  BANKREC_TRY(sink.set_format(std::string(format) + ":" + chosen.profile->name));
  // Every sheet the chosen profile fits is read, in workbook order.
  for (std::size_t i = 0; i < fits.size(); ++i) {
    if (fits[i].profile != chosen.profile || !fits[i].fits) continue;
    TableMapper mapper(fits[i], options, sink);
    BANKREC_TRY(mapper.start(tables[sheet_of[i]]));
    BANKREC_TRY(mapper.add_rows(tables[sheet_of[i]], fits[i].first_data_row, {}, nullptr));
    BANKREC_TRY(mapper.finish());
  }
  return ok();
}

}  // namespace bankrec::formats
