#include "pdf/pdf_profile.h"

#include <algorithm>
#include <initializer_list>
#include <span>

namespace bankrec::formats {
namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

/// Exception-free reads of the profile's YAML: every error is "PATH:LINE:COL" plus "key: message".
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {}

  Unexpected error(const YAML::Node& node, const std::string& key, const std::string& message) const {
    Error e{Errc::invalid_input, key + ": " + message, path_};
    const YAML::Mark mark = node.Mark();
    if (!mark.is_null()) {
      e.line = static_cast<std::uint32_t>(mark.line + 1);
      e.column = static_cast<std::uint32_t>(mark.column + 1);
      e.where += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
    }
    return Unexpected{std::move(e)};
  }

  Result<void> only_keys(const YAML::Node& map, const std::string& key,
                         std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) return error(map, key, "expected a mapping of keys");
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; })) continue;
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return error(kv.first, key.empty() ? k : key + "." + k, "unknown key (expected one of: " + list + ")");
    }
    return ok();
  }

  Result<std::string> text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) return error(node, key, "expected a text value");
    return node.Scalar();
  }

  Result<std::vector<std::string>> texts(const YAML::Node& node, const std::string& key) const {
    if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
    if (!node.IsSequence()) return error(node, key, "expected a text or a list of texts");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i)
      out.push_back(BANKREC_TRY(text(node[i], key + "[" + std::to_string(i) + "]")));
    return out;
  }

  /// A pattern whose named groups must all be in `allowed`.
  Result<PdfPattern> pattern(const YAML::Node& node, const std::string& key,
                             std::span<const std::string_view> allowed) const {
    const std::string source = BANKREC_TRY(text(node, key));
    auto p = compile_pdf_pattern(source);
    if (!p) return error(node, key, p.error().message);
    for (const auto& [name, index] : p->groups) {
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return error(node, key, "unknown group '" + name + "' (expected one of: " + list + ")");
    }
    return std::move(*p);
  }

  Result<std::vector<PdfPattern>> patterns(const YAML::Node& node, const std::string& key,
                                           std::span<const std::string_view> allowed) const {
    if (node.IsScalar()) return std::vector<PdfPattern>{BANKREC_TRY(pattern(node, key, allowed))};
    if (!node.IsSequence()) return error(node, key, "expected a pattern or a list of patterns");
    std::vector<PdfPattern> out;
    for (std::size_t i = 0; i < node.size(); ++i)
      out.push_back(BANKREC_TRY(pattern(node[i], key + "[" + std::to_string(i) + "]", allowed)));
    return out;
  }

 private:
  const std::string& path_;
};

constexpr std::string_view kHeaderGroups[] = {"iban",      "bic",      "number", "bank_code",
                                              "owner",     "currency", "id",     "sequence",
                                              "from_date", "to_date",  "year"};
constexpr std::string_view kBalanceGroups[] = {"amount", "date", "sign", "currency"};
constexpr std::string_view kTextGroup[] = {"text"};
constexpr std::string_view kEntryGroups[] = {"booking_date", "value_date", "amount",       "debit",
                                             "credit",       "sign",       "posting_text", "counterparty",
                                             "remittance",   "reference"};

Result<void> read_entry(const Reader& r, const YAML::Node& node, PdfProfile& p) {
  BANKREC_TRY(r.only_keys(node, "entry",
                          {"start", "continuation", "continuation_fields", "credit_signs", "debit_signs"}));
  if (!node["start"]) return r.error(node, "entry.start", "missing: the pattern of an entry's first line");
  p.entry_start = BANKREC_TRY(r.pattern(node["start"], "entry.start", kEntryGroups));
  const bool amount = p.entry_start.group("amount") != 0;
  const bool split = p.entry_start.group("debit") != 0 || p.entry_start.group("credit") != 0;
  if (p.entry_start.group("booking_date") == 0 || amount == split)
    return r.error(node["start"], "entry.start",
                   "needs a group 'booking_date' and either 'amount' or 'debit'/'credit'");
  if (node["continuation"]) {
    p.continuation = BANKREC_TRY(r.pattern(node["continuation"], "entry.continuation", kTextGroup));
    if (p.continuation->group("text") == 0)
      return r.error(node["continuation"], "entry.continuation", "needs a group 'text'");
  }
  if (node["continuation_fields"]) {
    p.continuation_fields.clear();
    for (const auto& f : BANKREC_TRY(r.texts(node["continuation_fields"], "entry.continuation_fields"))) {
      if (f == "remittance")
        p.continuation_fields.push_back(PdfTextField::remittance);
      else if (f == "counterparty")
        p.continuation_fields.push_back(PdfTextField::counterparty);
      else if (f == "posting_text")
        p.continuation_fields.push_back(PdfTextField::posting_text);
      else if (f == "reference")
        p.continuation_fields.push_back(PdfTextField::reference);
      else
        return r.error(node["continuation_fields"], "entry.continuation_fields",
                       "'" + f + "' is not one of remittance, counterparty, posting_text, reference");
    }
    if (p.continuation_fields.empty())
      return r.error(node["continuation_fields"], "entry.continuation_fields",
                     "must name at least one field");
  }
  if (node["credit_signs"]) p.credit_signs = BANKREC_TRY(r.texts(node["credit_signs"], "entry.credit_signs"));
  if (node["debit_signs"]) p.debit_signs = BANKREC_TRY(r.texts(node["debit_signs"], "entry.debit_signs"));
  return ok();
}

Result<void> read_formats(const Reader& r, const YAML::Node& root, PdfProfile& p) {
  if (root["currency"]) {
    const std::string code = BANKREC_TRY(r.text(root["currency"], "currency"));
    const auto c = domain::Currency::find(code);
    if (!c) return r.error(root["currency"], "currency", "unknown ISO 4217 code '" + code + "'");
    p.currency = *c;
  }
  if (root["date_order"]) {
    const std::string o = BANKREC_TRY(r.text(root["date_order"], "date_order"));
    if (o == "dmy")
      p.date_order = domain::DateOrder::dmy;
    else if (o == "mdy")
      p.date_order = domain::DateOrder::mdy;
    else if (o == "ymd")
      p.date_order = domain::DateOrder::ymd;
    else
      return r.error(root["date_order"], "date_order", "expected dmy, mdy or ymd, not '" + o + "'");
  }
  if (root["decimal_separator"]) {
    const std::string s = BANKREC_TRY(r.text(root["decimal_separator"], "decimal_separator"));
    if (s != "," && s != ".")
      return r.error(root["decimal_separator"], "decimal_separator", "expected \",\" or \".\"");
    p.decimal_separator = s[0];
  }
  if (root["check_balances"]) {
    const std::string b = BANKREC_TRY(r.text(root["check_balances"], "check_balances"));
    if (b != "true" && b != "false")
      return r.error(root["check_balances"], "check_balances", "expected true or false");
    p.check_balances = b == "true";
  }
  return ok();
}

}  // namespace

int PdfPattern::group(std::string_view name) const {
  for (const auto& [n, i] : groups)
    if (n == name) return i;
  return 0;
}

std::string PdfPattern::value(const std::smatch& m, std::string_view name) const {
  const int i = group(name);
  if (i == 0 || static_cast<std::size_t>(i) >= m.size() || !m[i].matched) return {};
  return m[i].str();
}

Result<PdfPattern> compile_pdf_pattern(const std::string& source) {
  PdfPattern p;
  p.source = source;
  std::string plain;
  int count = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '\\' && i + 1 < source.size()) {
      plain += source.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      plain += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '(' && source.compare(i, 3, "(?<") == 0 && i + 3 < source.size() && source[i + 3] != '=' &&
        source[i + 3] != '!') {
      const std::size_t close = source.find('>', i + 3);
      const std::string name = close == std::string::npos ? "" : source.substr(i + 3, close - i - 3);
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char))
        return fail(Errc::invalid_input,
                    "invalid group name at offset " + std::to_string(i) + " (use (?<name>...))");
      if (std::any_of(p.groups.begin(), p.groups.end(), [&](const auto& g) { return g.first == name; }))
        return fail(Errc::invalid_input, "group '" + name + "' is named twice");
      p.groups.emplace_back(name, ++count);
      plain += '(';
      i = close;
      continue;
    }
    if (c == '(' && (i + 1 >= source.size() || source[i + 1] != '?')) ++count;
    plain += c;
  }
  try {
    p.regex = std::regex(plain, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return fail(Errc::invalid_input, "invalid regular expression '" + source + "': " + e.what());
  }
  return p;
}

Result<PdfProfile> parse_pdf_profile(const YAML::Node& root, const std::string& path) {
  const Reader r(path);
  try {
    BANKREC_TRY(
        r.only_keys(root, "",
                    {"kind", "name", "description", "detect", "currency", "date_order", "decimal_separator",
                     "header", "opening_balance", "closing_balance", "entry", "ignore", "check_balances"}));
    PdfProfile p;
    p.path = path;
    if (!root["name"]) return r.error(root, "name", "missing: every profile needs a name");
    p.name = BANKREC_TRY(r.text(root["name"], "name"));
    if (p.name.empty() || !std::all_of(p.name.begin(), p.name.end(),
                                       [](char c) { return is_name_char(c) || c == '-' || c == '.'; }))
      return r.error(root["name"], "name",
                     "'" + p.name + "' must be lower-case letters, digits, '-', '_' or '.'");
    if (root["description"]) p.description = BANKREC_TRY(r.text(root["description"], "description"));
    if (!root["detect"])
      return r.error(root, "detect", "missing: the lines that recognise this bank's statements");
    p.detect = BANKREC_TRY(r.patterns(root["detect"], "detect", {}));
    if (p.detect.empty()) return r.error(root["detect"], "detect", "needs at least one pattern");
    BANKREC_TRY(read_formats(r, root, p));
    if (root["header"]) p.header = BANKREC_TRY(r.patterns(root["header"], "header", kHeaderGroups));
    if (root["opening_balance"])
      p.opening_balance = BANKREC_TRY(r.pattern(root["opening_balance"], "opening_balance", kBalanceGroups));
    if (root["closing_balance"])
      p.closing_balance = BANKREC_TRY(r.pattern(root["closing_balance"], "closing_balance", kBalanceGroups));
    for (const auto* b : {&p.opening_balance, &p.closing_balance})
      if (*b && (*b)->group("amount") == 0)
        return r.error(root[b == &p.opening_balance ? "opening_balance" : "closing_balance"],
                       b == &p.opening_balance ? "opening_balance" : "closing_balance",
                       "needs a group 'amount'");
    if (!root["entry"]) return r.error(root, "entry", "missing: how an entry's lines look");
    BANKREC_TRY(read_entry(r, root["entry"], p));
    if (root["ignore"]) p.ignore = BANKREC_TRY(r.patterns(root["ignore"], "ignore", {}));
    return p;
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_input, e.msg, path + ":" + std::to_string(e.mark.line + 1));
  }
}

}  // namespace bankrec::formats
