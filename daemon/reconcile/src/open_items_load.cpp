#include <fstream>
#include <sstream>

#include "bankrec/base/text.h"
#include "bankrec/domain/iban.h"
#include "bankrec/domain/json.h"
#include "bankrec/reconcile/open_items.h"
#include "open_item_fields.h"

namespace bankrec::reconcile {
namespace {

enum FieldId : std::size_t {
  kId, kKind, kPartnerId, kPartnerName, kPartnerIbans, kDocumentNumber, kAmount, kCurrency,
  kIssueDate, kDueDate, kReference, kDiscountUntil, kDiscountPercent
};

constexpr const char* kFieldNames[kFieldCount] = {
    "id",     "kind",     "partner_id", "partner_name", "partner_ibans", "document_number", "amount",
    "currency", "issue_date", "due_date", "reference",  "discount_until", "discount_percent"};
constexpr bool kRequired[kFieldCount] = {true, true, true, true, false, true, true, true,
                                         false, false, false, false, false};

/// The trimmed text of a field, or nullopt when absent or empty.
std::optional<RawValue> present(const RawOpenItem& raw, std::size_t f) {
  if (!raw.values[f]) return std::nullopt;
  RawValue v = *raw.values[f];
  v.text = std::string(text::trim(v.text));
  if (v.text.empty()) return std::nullopt;
  return v;
}

Result<std::optional<domain::Date>> read_date(const RawOpenItem& raw, std::size_t f, std::string_view file) {
  const auto v = present(raw, f);
  if (!v) return std::optional<domain::Date>{};
  auto date = domain::parse_iso_date(v->text);
  if (!date || v->text.size() != 10)
    return open_item_error(file, v->line, v->column, kFieldNames[f],
                           "invalid date '" + v->text + "' (expected YYYY-MM-DD)");
  return std::optional<domain::Date>{*date};
}

Result<std::vector<std::string>> read_ibans(const RawOpenItem& raw, std::string_view file) {
  std::vector<std::string> out;
  const auto v = present(raw, kPartnerIbans);
  if (!v) return out;
  std::string_view rest = v->text;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    const std::string_view one = text::trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (one.empty()) continue;
    auto iban = domain::Iban::parse(one);
    if (!iban)
      return open_item_error(file, v->line, v->column, "partner_ibans",
                             "invalid IBAN '" + std::string(one) + "': " + iban.error().message);
    out.push_back(iban->electronic());
  }
  return out;
}

Result<domain::Money> read_amount(const RawOpenItem& raw, std::string_view file) {
  const auto cur = present(raw, kCurrency);
  const auto amt = present(raw, kAmount);
  if (!cur) return open_item_error(file, raw.values[kCurrency]->line, raw.values[kCurrency]->column, "currency", "currency is empty");
  const auto currency = domain::Currency::find(cur->text);
  if (!currency) return open_item_error(file, cur->line, cur->column, "currency", "unknown currency '" + cur->text + "'");
  if (!amt) return open_item_error(file, raw.values[kAmount]->line, raw.values[kAmount]->column, "amount", "amount is empty");
  auto minor = domain::parse_decimal(amt->text, '.', currency->exponent);
  if (!minor || *minor <= 0 || amt->text.front() == '+')
    return open_item_error(file, amt->line, amt->column, "amount",
                           "invalid amount '" + amt->text + "' (expected a positive decimal with '.', e.g. 1190.00)");
  return domain::Money(*minor, *currency);
}

Result<std::optional<std::int32_t>> read_discount(const RawOpenItem& raw, std::string_view file) {
  const auto v = present(raw, kDiscountPercent);
  if (!v) return std::optional<std::int32_t>{};
  auto bp = domain::parse_decimal(v->text, '.', 2);
  if (!bp || *bp < 0 || *bp >= 10000)
    return open_item_error(file, v->line, v->column, "discount_percent",
                           "invalid discount percent '" + v->text + "' (expected e.g. 2 or 1.5)");
  return std::optional<std::int32_t>{static_cast<std::int32_t>(*bp)};
}

Result<std::string> required_text(const RawOpenItem& raw, std::size_t f, std::string_view file) {
  const auto v = present(raw, f);
  if (!v) {
    const RawValue& at = *raw.values[f];
    return open_item_error(file, at.line, at.column, kFieldNames[f], std::string(kFieldNames[f]) + " is empty");
  }
  return v->text;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::not_found, "cannot read open-items file", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && text::iequals_ascii(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

std::optional<std::size_t> find_open_item_field(std::string_view name) {
  for (std::size_t f = 0; f < kFieldCount; ++f)
    if (name == kFieldNames[f]) return f;
  return std::nullopt;
}
const char* open_item_field_name(std::size_t field) { return kFieldNames[field]; }
bool open_item_field_required(std::size_t field) { return kRequired[field]; }

Unexpected open_item_error(std::string_view file, std::uint32_t line, std::uint32_t column, std::string_view column_name,
                           std::string message) {
  std::string where = std::string(file) + ":" + std::to_string(line) + ":" + std::to_string(column);
  if (!column_name.empty()) where += " (" + std::string(column_name) + ")";
  Unexpected u = fail(Errc::invalid_input, std::move(message), std::move(where));
  u.error.line = line;
  u.error.column = column;
  return u;
}

Result<void> DuplicateIds::add(const std::string& id, std::uint32_t line, std::string_view file) {
  const auto [it, inserted] = lines_.emplace(id, line);
  if (!inserted)
    return open_item_error(file, line, 1, "id",
                           "duplicate id '" + id + "' (first on line " + std::to_string(it->second) + ")");
  return ok();
}

Result<domain::OpenItem> build_open_item(const RawOpenItem& raw, std::string_view file) {
  domain::OpenItem item;
  item.id = BANKREC_TRY(required_text(raw, kId, file));
  const auto kind_text = BANKREC_TRY(required_text(raw, kKind, file));
  const auto kind = domain::parse_open_item_kind(kind_text);
  if (!kind)
    return open_item_error(file, raw.values[kKind]->line, raw.values[kKind]->column, "kind",
                           "unknown kind '" + kind_text + "' (expected invoice, bill, credit_note or expected)");
  item.kind = *kind;
  item.partner_id = BANKREC_TRY(required_text(raw, kPartnerId, file));
  item.partner_name = BANKREC_TRY(required_text(raw, kPartnerName, file));
  item.partner_ibans = BANKREC_TRY(read_ibans(raw, file));
  item.document_number = BANKREC_TRY(required_text(raw, kDocumentNumber, file));
  item.amount = BANKREC_TRY(read_amount(raw, file));
  item.issue_date = BANKREC_TRY(read_date(raw, kIssueDate, file));
  item.due_date = BANKREC_TRY(read_date(raw, kDueDate, file));
  if (const auto ref = present(raw, kReference)) item.reference = ref->text;
  item.discount_until = BANKREC_TRY(read_date(raw, kDiscountUntil, file));
  item.discount_basis_points = BANKREC_TRY(read_discount(raw, file));
  return item;
}

Result<std::vector<domain::OpenItem>> parse_open_items_jsonl(std::string_view bytes, std::string_view file_name) {
  std::vector<domain::OpenItem> items;
  DuplicateIds seen;
  std::uint32_t line = 0;
  std::string_view rest = text::strip_bom(bytes);
  while (!rest.empty()) {
    ++line;
    const auto nl = rest.find('\n');
    const std::string_view one = text::trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (one.empty()) continue;
    auto item = domain::open_item_from_json(one);
    if (!item) return open_item_error(file_name, line, 1, "", item.error().describe());
    BANKREC_TRY(seen.add(item->id, line, file_name));
    items.push_back(std::move(*item));
  }
  return items;
}

Result<std::vector<domain::OpenItem>> load_open_items(const std::string& path) {
  if (ends_with(path, ".xlsx") || ends_with(path, ".xls"))
    return fail(Errc::invalid_input,
                "open items from spreadsheets are not supported yet (save the sheet as CSV UTF-8, comma separated)",
                path);
  const auto bytes = BANKREC_TRY(read_file(path));
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json"))
    return parse_open_items_jsonl(bytes, path);
  return parse_open_items_csv(bytes, path);
}

}  // namespace bankrec::reconcile
