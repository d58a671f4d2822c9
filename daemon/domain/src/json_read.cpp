// The inverse of json.cpp: statement and open-item JSON back into the model. Every error names
// the JSON path of the offending value ("statements[0].entries[3].amount").
#include "bankrec/domain/json.h"

#include <boost/json.hpp>

#include <algorithm>

namespace bankrec::domain {
namespace json = boost::json;
namespace {

/// A JSON path built while descending; cheap to extend, rendered only for errors.
class Path {
 public:
  Path() = default;
  Path key(std::string_view k) const {
    return Path(text_.empty() ? std::string(k) : text_ + "." + std::string(k));
  }
  Path index(std::size_t i) const { return Path(text_ + "[" + std::to_string(i) + "]"); }
  Unexpected error(std::string_view what) const {
    const std::string where = text_.empty() ? "top level" : text_;
    return fail(Errc::invalid_input, where + ": " + std::string(what));
  }

 private:
  explicit Path(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

Result<json::value> parse_document(std::string_view text) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec)
    return fail(Errc::invalid_input,
                "invalid json at byte " + std::to_string(consumed) + ": " + ec.message());
  return parser.release();
}

Result<const json::object*> as_object(const json::value& v, const Path& path) {
  if (!v.is_object()) return path.error("expected an object");
  return &v.get_object();
}

const json::value* member(const json::object& o, std::string_view key) {
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

/// A string that may be absent or null.
Result<std::optional<std::string>> opt_string(const json::object& o, std::string_view key, const Path& path) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return path.key(key).error("expected a string or null");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::string> req_string(const json::object& o, std::string_view key, const Path& path) {
  auto s = BANKREC_TRY(opt_string(o, key, path));
  if (!s) return path.key(key).error("missing");
  return std::move(*s);
}

Result<std::optional<Date>> opt_date(const json::object& o, std::string_view key, const Path& path) {
  const auto s = BANKREC_TRY(opt_string(o, key, path));
  if (!s) return std::optional<Date>();
  auto date = parse_iso_date(*s);
  if (!date || s->size() != 10) return path.key(key).error("invalid date '" + *s + "' (expected YYYY-MM-DD)");
  return std::optional<Date>(*date);
}

Result<bool> opt_bool(const json::object& o, std::string_view key, const Path& path) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) return path.key(key).error("expected true or false");
  return v->get_bool();
}

/// The amount text of `key`: a decimal string, or a JSON integer (whole units).
Result<std::string> amount_text(const json::value& v, const Path& path) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return path.error("expected a decimal string such as \"12.50\"");
}

/// Currency of an amount. An unknown code keeps the exponent written in the amount, so that
/// whatever the writer wrote (it writes exactly the exponent's decimals) reads back the same.
Result<Currency> currency_of(std::string_view code, std::string_view amount, const Path& path) {
  if (auto known = Currency::find(code)) return *known;
  const bool letters =
      code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!letters) return path.error("invalid currency '" + std::string(code) + "' (expected an ISO 4217 code)");
  const std::size_t dot = amount.find('.');
  const std::size_t decimals = dot == std::string_view::npos ? 0 : amount.size() - dot - 1;
  if (decimals > 4) return path.error("invalid amount '" + std::string(amount) + "' (more than 4 decimals)");
  return Currency{{code[0], code[1], code[2]}, static_cast<std::uint8_t>(decimals)};
}

/// Amount and currency stored side by side in `o` under `amount_key` and "currency".
Result<std::optional<Money>> opt_money(const json::object& o, std::string_view amount_key, const Path& path) {
  const json::value* v = member(o, amount_key);
  if (!v || v->is_null()) return std::optional<Money>();
  const std::string text = BANKREC_TRY(amount_text(*v, path.key(amount_key)));
  const std::string code = BANKREC_TRY(req_string(o, "currency", path));
  const Currency currency = BANKREC_TRY(currency_of(code, text, path.key("currency")));
  auto minor = parse_decimal(text, '.', currency.exponent);
  if (!minor) return path.key(amount_key).error(minor.error().message);
  return std::optional<Money>(Money(*minor, currency));
}

Result<Money> req_money(const json::object& o, std::string_view amount_key, const Path& path) {
  auto m = BANKREC_TRY(opt_money(o, amount_key, path));
  if (!m) return path.key(amount_key).error("missing");
  return *m;
}

/// {"amount": ..., "currency": ...} as written for original_amount and charges.
Result<std::optional<Money>> opt_money_object(const json::object& o, std::string_view key, const Path& path) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) return std::optional<Money>();
  const json::object* m = BANKREC_TRY(as_object(*v, path.key(key)));
  return std::optional<Money>(BANKREC_TRY(req_money(*m, "amount", path.key(key))));
}

/// An array member that may be absent or null; calls `each(element, path)` for every element.
template <class Fn>
Result<void> for_each(const json::object& o, std::string_view key, const Path& path, Fn each) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) return ok();
  if (!v->is_array()) return path.key(key).error("expected an array");
  const json::array& a = v->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) BANKREC_TRY(each(a[i], path.key(key).index(i)));
  return ok();
}

Result<Party> read_party(const json::object& o, std::string_view key, const Path& parent) {
  Party p;
  const json::value* v = member(o, key);
  if (!v || v->is_null()) return p;
  const Path path = parent.key(key);
  const json::object& po = *BANKREC_TRY(as_object(*v, path));
  p.name = BANKREC_TRY(opt_string(po, "name", path));
  p.iban = BANKREC_TRY(opt_string(po, "iban", path));
  p.bic = BANKREC_TRY(opt_string(po, "bic", path));
  p.account = BANKREC_TRY(opt_string(po, "account", path));
  p.bank_code = BANKREC_TRY(opt_string(po, "bank_code", path));
  p.id = BANKREC_TRY(opt_string(po, "id", path));
  return p;
}

Result<std::optional<ReturnInfo>> read_return(const json::object& o, const Path& parent) {
  const json::value* v = member(o, "return");
  if (!v || v->is_null()) return std::optional<ReturnInfo>();
  const Path path = parent.key("return");
  const json::object& ro = *BANKREC_TRY(as_object(*v, path));
  ReturnInfo r;
  r.reason = BANKREC_TRY(opt_string(ro, "reason", path));
  r.original_end_to_end_id = BANKREC_TRY(opt_string(ro, "original_end_to_end_id", path));
  r.info = BANKREC_TRY(opt_string(ro, "info", path));
  return std::optional<ReturnInfo>(std::move(r));
}

Result<EntryDetail> read_detail(const json::value& v, const Path& path) {
  const json::object& o = *BANKREC_TRY(as_object(v, path));
  EntryDetail d;
  d.amount = BANKREC_TRY(opt_money(o, "amount", path));
  d.end_to_end_id = BANKREC_TRY(opt_string(o, "end_to_end_id", path));
  d.instruction_id = BANKREC_TRY(opt_string(o, "instruction_id", path));
  d.transaction_id = BANKREC_TRY(opt_string(o, "transaction_id", path));
  d.uetr = BANKREC_TRY(opt_string(o, "uetr", path));
  d.mandate_id = BANKREC_TRY(opt_string(o, "mandate_id", path));
  d.bank_reference = BANKREC_TRY(opt_string(o, "bank_reference", path));
  d.counterparty = BANKREC_TRY(read_party(o, "counterparty", path));
  d.remittance = BANKREC_TRY(opt_string(o, "remittance", path));
  d.structured_reference = BANKREC_TRY(opt_string(o, "structured_reference", path));
  d.return_info = BANKREC_TRY(read_return(o, path));
  return d;
}

Result<EntryStatus> read_status(const json::object& o, const Path& path) {
  const auto s = BANKREC_TRY(opt_string(o, "status", path));
  if (!s || *s == "booked") return EntryStatus::booked;
  if (*s == "pending") return EntryStatus::pending;
  if (*s == "info") return EntryStatus::info;
  return path.key("status").error("unknown status '" + *s + "' (expected booked, pending or info)");
}

Result<TransactionCode> read_transaction_code(const json::object& o, const Path& parent) {
  TransactionCode tc;
  const json::value* v = member(o, "transaction_code");
  if (!v || v->is_null()) return tc;
  const Path path = parent.key("transaction_code");
  const json::object& to = *BANKREC_TRY(as_object(*v, path));
  tc.iso = BANKREC_TRY(opt_string(to, "iso", path));
  tc.proprietary = BANKREC_TRY(opt_string(to, "proprietary", path));
  tc.swift = BANKREC_TRY(opt_string(to, "swift", path));
  tc.gvc = BANKREC_TRY(opt_string(to, "gvc", path));
  return tc;
}

Result<Entry> read_entry(const json::value& v, const Path& path) {
  const json::object& o = *BANKREC_TRY(as_object(v, path));
  Entry e;
  e.booking_date = BANKREC_TRY(opt_date(o, "booking_date", path));
  e.value_date = BANKREC_TRY(opt_date(o, "value_date", path));
  e.amount = BANKREC_TRY(req_money(o, "amount", path));
  e.status = BANKREC_TRY(read_status(o, path));
  e.reversal = BANKREC_TRY(opt_bool(o, "reversal", path));
  e.bank_reference = BANKREC_TRY(opt_string(o, "bank_reference", path));
  e.customer_reference = BANKREC_TRY(opt_string(o, "customer_reference", path));
  e.end_to_end_id = BANKREC_TRY(opt_string(o, "end_to_end_id", path));
  e.uetr = BANKREC_TRY(opt_string(o, "uetr", path));
  e.mandate_id = BANKREC_TRY(opt_string(o, "mandate_id", path));
  e.creditor_id = BANKREC_TRY(opt_string(o, "creditor_id", path));
  e.transaction_code = BANKREC_TRY(read_transaction_code(o, path));
  e.posting_text = BANKREC_TRY(opt_string(o, "posting_text", path));
  e.counterparty = BANKREC_TRY(read_party(o, "counterparty", path));
  e.remittance = BANKREC_TRY(opt_string(o, "remittance", path));
  e.structured_reference = BANKREC_TRY(opt_string(o, "structured_reference", path));
  e.original_amount = BANKREC_TRY(opt_money_object(o, "original_amount", path));
  e.charges = BANKREC_TRY(opt_money_object(o, "charges", path));
  e.return_info = BANKREC_TRY(read_return(o, path));
  BANKREC_TRY(for_each(o, "details", path, [&](const json::value& d, const Path& p) -> Result<void> {
    e.details.push_back(BANKREC_TRY(read_detail(d, p)));
    return ok();
  }));
  return e;
}

Result<Balance> read_balance(const json::value& v, const Path& path) {
  const json::object& o = *BANKREC_TRY(as_object(v, path));
  Balance b;
  b.amount = BANKREC_TRY(req_money(o, "amount", path));
  b.date = BANKREC_TRY(opt_date(o, "date", path));
  b.type = BANKREC_TRY(opt_string(o, "type", path));
  return b;
}

Result<std::optional<Balance>> opt_balance(const json::object& o, std::string_view key, const Path& path) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) return std::optional<Balance>();
  return std::optional<Balance>(BANKREC_TRY(read_balance(*v, path.key(key))));
}

Result<Account> read_account(const json::object& o, const Path& parent) {
  Account a;
  const json::value* v = member(o, "account");
  if (!v || v->is_null()) return a;
  const Path path = parent.key("account");
  const json::object& ao = *BANKREC_TRY(as_object(*v, path));
  a.iban = BANKREC_TRY(opt_string(ao, "iban", path));
  a.bic = BANKREC_TRY(opt_string(ao, "bic", path));
  a.number = BANKREC_TRY(opt_string(ao, "number", path));
  a.bank_code = BANKREC_TRY(opt_string(ao, "bank_code", path));
  a.currency = BANKREC_TRY(opt_string(ao, "currency", path));
  a.owner = BANKREC_TRY(opt_string(ao, "owner", path));
  a.name = BANKREC_TRY(opt_string(ao, "name", path));
  a.servicer = BANKREC_TRY(opt_string(ao, "servicer", path));
  return a;
}

Result<Statement> read_statement(const json::value& v, const Path& path) {
  const json::object& o = *BANKREC_TRY(as_object(v, path));
  Statement s;
  s.id = BANKREC_TRY(opt_string(o, "id", path));
  s.sequence = BANKREC_TRY(opt_string(o, "sequence", path));
  s.created_at = BANKREC_TRY(opt_string(o, "created_at", path));
  s.account = BANKREC_TRY(read_account(o, path));
  s.from_date = BANKREC_TRY(opt_date(o, "from_date", path));
  s.to_date = BANKREC_TRY(opt_date(o, "to_date", path));
  s.opening_balance = BANKREC_TRY(opt_balance(o, "opening_balance", path));
  s.closing_balance = BANKREC_TRY(opt_balance(o, "closing_balance", path));
  BANKREC_TRY(for_each(o, "other_balances", path, [&](const json::value& b, const Path& p) -> Result<void> {
    s.other_balances.push_back(BANKREC_TRY(read_balance(b, p)));
    return ok();
  }));
  BANKREC_TRY(for_each(o, "warnings", path, [&](const json::value& w, const Path& p) -> Result<void> {
    if (!w.is_string()) return p.error("expected a string");
    s.warnings.emplace_back(w.get_string());
    return ok();
  }));
  BANKREC_TRY(for_each(o, "entries", path, [&](const json::value& e, const Path& p) -> Result<void> {
    s.entries.push_back(BANKREC_TRY(read_entry(e, p)));
    return ok();
  }));
  return s;
}

/// "2", "1.5", "2.00" or a JSON integer, as hundredths of a percent.
Result<std::optional<std::int32_t>> read_discount(const json::object& o, const Path& path) {
  const json::value* v = member(o, "discount_percent");
  if (!v || v->is_null()) return std::optional<std::int32_t>();
  const Path p = path.key("discount_percent");
  const std::string text = BANKREC_TRY(amount_text(*v, p));
  auto bp = parse_decimal(text, '.', 2);
  if (!bp) return p.error("invalid percentage '" + text + "' (expected a decimal such as \"2\" or \"1.5\")");
  if (*bp < 0 || *bp > 10000) return p.error("percentage '" + text + "' out of range (0 to 100)");
  return std::optional<std::int32_t>(static_cast<std::int32_t>(*bp));
}

/// "DE02...;DE89..." (the writer's form) or an array of strings.
Result<std::vector<std::string>> read_ibans(const json::object& o, const Path& path) {
  std::vector<std::string> out;
  const json::value* v = member(o, "partner_ibans");
  if (!v || v->is_null()) return out;
  if (v->is_array()) {
    BANKREC_TRY(for_each(o, "partner_ibans", path, [&](const json::value& s, const Path& p) -> Result<void> {
      if (!s.is_string()) return p.error("expected a string");
      out.emplace_back(s.get_string());
      return ok();
    }));
    return out;
  }
  if (!v->is_string()) return path.key("partner_ibans").error("expected a string or null");
  std::string_view rest(v->get_string());
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    std::string_view one = rest.substr(0, semi);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (!one.empty()) out.emplace_back(one);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
  }
  return out;
}

}  // namespace

Result<StatementFile> statement_file_from_json(std::string_view text) {
  const json::value doc = BANKREC_TRY(parse_document(text));
  const Path root;
  const json::object& o = *BANKREC_TRY(as_object(doc, root));
  StatementFile f;
  f.file = BANKREC_TRY(req_string(o, "file", root));
  f.format = BANKREC_TRY(req_string(o, "format", root));
  BANKREC_TRY(for_each(o, "statements", root, [&](const json::value& s, const Path& p) -> Result<void> {
    f.statements.push_back(BANKREC_TRY(read_statement(s, p)));
    return ok();
  }));
  return f;
}

Result<Statement> statement_from_json(std::string_view text) {
  const json::value doc = BANKREC_TRY(parse_document(text));
  return read_statement(doc, Path());
}

Result<OpenItem> open_item_from_json(std::string_view text) {
  const json::value doc = BANKREC_TRY(parse_document(text));
  const Path root;
  const json::object& o = *BANKREC_TRY(as_object(doc, root));
  OpenItem item;
  item.id = BANKREC_TRY(req_string(o, "id", root));
  const std::string kind = BANKREC_TRY(req_string(o, "kind", root));
  auto parsed_kind = parse_open_item_kind(kind);
  if (!parsed_kind) return root.key("kind").error(parsed_kind.error().message);
  item.kind = *parsed_kind;
  item.partner_id = BANKREC_TRY(req_string(o, "partner_id", root));
  item.partner_name = BANKREC_TRY(req_string(o, "partner_name", root));
  item.partner_ibans = BANKREC_TRY(read_ibans(o, root));
  item.document_number = BANKREC_TRY(req_string(o, "document_number", root));
  item.amount = BANKREC_TRY(req_money(o, "amount", root));
  item.issue_date = BANKREC_TRY(opt_date(o, "issue_date", root));
  item.due_date = BANKREC_TRY(opt_date(o, "due_date", root));
  item.reference = BANKREC_TRY(opt_string(o, "reference", root));
  item.discount_until = BANKREC_TRY(opt_date(o, "discount_until", root));
  item.discount_basis_points = BANKREC_TRY(read_discount(o, root));
  return item;
}

}  // namespace bankrec::domain
