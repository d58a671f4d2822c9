#include "xml/xml_profile.h"

#include <algorithm>

#include "bankrec/domain/money.h"
#include "profiles/yaml_util.h"

namespace bankrec::formats {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

std::string local_part(std::string_view name) {
  const std::size_t colon = name.rfind(':');
  return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

// "[@type='x']" or "[Cd=\"CLBD\"]" at text[i] == '['; fills the step, returns the index after ']'.
Result<std::size_t> parse_predicate(std::string_view text, std::size_t i, XmlPathStep& step) {
  const std::string_view bad = "invalid predicate in '";
  std::size_t j = i + 1;
  const bool on_attribute = j < text.size() && text[j] == '@';
  if (on_attribute) ++j;
  const std::size_t name_start = j;
  while (j < text.size() && is_name_char(text[j])) ++j;
  if (j == name_start || j >= text.size() || text[j] != '=')
    return fail(Errc::invalid_input,
                std::string(bad) + std::string(text) + "' (expected [@name='value'] or [child='value'])");
  const std::string name = local_part(text.substr(name_start, j - name_start));
  ++j;
  if (j >= text.size() || (text[j] != '\'' && text[j] != '"'))
    return fail(Errc::invalid_input, std::string(bad) + std::string(text) + "' (the value needs quotes)");
  const char quote = text[j];
  const std::size_t end = text.find(quote, j + 1);
  if (end == std::string_view::npos || end + 1 >= text.size() || text[end + 1] != ']')
    return fail(Errc::invalid_input, std::string(bad) + std::string(text) + "' (unclosed)");
  (on_attribute ? step.attribute : step.child) = name;
  step.value = std::string(text.substr(j + 1, end - j - 1));
  return end + 2;
}

}  // namespace

const std::vector<std::string>& xml_statement_fields() {
  static const std::vector<std::string> kFields = {
      "id",        "sequence", "created_at", "iban",         "account_number", "bic",
      "bank_code", "currency", "owner",      "account_name", "from_date",      "to_date"};
  return kFields;
}

const std::vector<std::string>& xml_entry_fields() {
  static const std::vector<std::string> kFields = {"booking_date",
                                                   "value_date",
                                                   "amount",
                                                   "currency",
                                                   "direction",
                                                   "status",
                                                   "bank_reference",
                                                   "customer_reference",
                                                   "end_to_end_id",
                                                   "mandate_id",
                                                   "creditor_id",
                                                   "posting_text",
                                                   "transaction_code",
                                                   "gvc",
                                                   "counterparty_name",
                                                   "counterparty_iban",
                                                   "counterparty_bic",
                                                   "counterparty_account",
                                                   "counterparty_bank_code",
                                                   "remittance",
                                                   "structured_reference"};
  return kFields;
}

Result<XmlPath> parse_xml_path(std::string_view text) {
  XmlPath path;
  path.text = std::string(text);
  std::size_t i = 0;
  if (text == ".") return path;
  if (text.starts_with('/')) i = 1;
  if (i >= text.size()) return fail(Errc::invalid_input, "empty path");
  while (i < text.size()) {
    if (text[i] == '@') {
      const std::size_t start = ++i;
      while (i < text.size() && is_name_char(text[i])) ++i;
      if (i == start || i != text.size())
        return fail(Errc::invalid_input,
                    "invalid path '" + std::string(text) + "' (an attribute ends a path: 'Amt/@Ccy')");
      path.attribute = local_part(text.substr(start));
      return path;
    }
    XmlPathStep step;
    const std::size_t start = i;
    if (text[i] == '*') {
      ++i;
    } else {
      while (i < text.size() && is_name_char(text[i])) ++i;
    }
    if (i == start)
      return fail(Errc::invalid_input,
                  "invalid path '" + std::string(text) + "' (empty or bad element name)");
    step.name = text[start] == '*' ? "*" : local_part(text.substr(start, i - start));
    if (i < text.size() && text[i] == '[') i = BANKREC_TRY(parse_predicate(text, i, step));
    path.steps.push_back(std::move(step));
    if (i == text.size()) break;
    if (text[i] != '/')
      return fail(Errc::invalid_input,
                  "invalid path '" + std::string(text) + "' (unexpected '" + text[i] + "')");
    if (++i == text.size())
      return fail(Errc::invalid_input, "invalid path '" + std::string(text) + "' (ends with '/')");
  }
  return path;
}

namespace {

class Reader {
 public:
  Reader(const YAML::Node& root, const std::string& path) : yaml_(path, root) {}

  Result<XmlPath> path(const YAML::Node& node, const std::string& key) const {
    const std::string text = BANKREC_TRY(yaml_.string(node, key));
    auto parsed = parse_xml_path(text);
    if (!parsed) return yaml_.error(node, key, parsed.error().message);
    return std::move(*parsed);
  }

  Result<XmlField> field(const YAML::Node& node, const std::string& key) const {
    XmlField out;
    if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i)
        out.paths.push_back(BANKREC_TRY(path(node[i], key + "[" + std::to_string(i) + "]")));
      if (out.paths.empty()) return yaml_.error(node, key, "expected at least one path");
      return out;
    }
    out.paths.push_back(BANKREC_TRY(path(node, key)));
    return out;
  }

  Result<std::map<std::string, XmlField>> fields(const YAML::Node& node, const std::string& key,
                                                 const std::vector<std::string>& allowed) const {
    std::map<std::string, XmlField> out;
    if (!node.IsMap()) return yaml_.error(node, key, "expected a mapping of field: path");
    for (const auto& kv : node) {
      const std::string name = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return yaml_.error(kv.first, key + "." + name, "unknown field (expected one of: " + list + ")");
      }
      out[name] = BANKREC_TRY(field(kv.second, key + "." + name));
    }
    return out;
  }

  Result<XmlBalance> balance(const YAML::Node& node, const std::string& key) const {
    BANKREC_TRY(yaml_.only_keys(node, key, {"amount", "currency", "date", "direction"}));
    XmlBalance out;
    if (!node["amount"])
      return yaml_.error(node, key + ".amount", "missing: a balance needs its amount's path");
    out.amount = BANKREC_TRY(field(node["amount"], key + ".amount"));
    if (node["currency"]) out.currency = BANKREC_TRY(field(node["currency"], key + ".currency"));
    if (node["date"]) out.date = BANKREC_TRY(field(node["date"], key + ".date"));
    if (node["direction"]) out.direction = BANKREC_TRY(field(node["direction"], key + ".direction"));
    return out;
  }

  Result<char> separator(const YAML::Node& node, const std::string& key, std::string_view allowed) const {
    const std::string s = BANKREC_TRY(yaml_.string(node, key));
    if (s.size() != 1 || allowed.find(s[0]) == std::string_view::npos)
      return yaml_.error(node, key, "expected one of '" + std::string(allowed) + "', not '" + s + "'");
    return s[0];
  }

  Result<void> detect(const YAML::Node& node, XmlProfile& p) const {
    BANKREC_TRY(yaml_.only_keys(node, "detect", {"root", "namespace", "contains"}));
    if (!node["root"])
      return yaml_.error(node, "detect.root", "missing: the root element's name recognises the file");
    p.root = local_part(BANKREC_TRY(yaml_.string(node["root"], "detect.root")));
    if (node["namespace"]) p.namespace_uri = BANKREC_TRY(yaml_.string(node["namespace"], "detect.namespace"));
    if (node["contains"]) p.contains = BANKREC_TRY(yaml_.strings(node["contains"], "detect.contains"));
    return ok();
  }

  Result<void> statement(const YAML::Node& node, XmlProfile& p) const {
    BANKREC_TRY(yaml_.only_keys(node, "statement", {"path", "fields", "opening_balance", "closing_balance"}));
    if (!node["path"])
      return yaml_.error(node, "statement.path", "missing: the path from the root to each statement");
    p.statement = BANKREC_TRY(path(node["path"], "statement.path"));
    if (p.statement.steps.empty() || !p.statement.attribute.empty() ||
        !p.statement.steps[0].matches_name(p.root))
      return yaml_.error(node["path"], "statement.path",
                         "must be elements from the root <" + p.root + "> down, e.g. '/" + p.root + "'");
    if (node["fields"])
      p.header = BANKREC_TRY(fields(node["fields"], "statement.fields", xml_statement_fields()));
    if (node["opening_balance"])
      p.opening_balance = BANKREC_TRY(balance(node["opening_balance"], "statement.opening_balance"));
    if (node["closing_balance"])
      p.closing_balance = BANKREC_TRY(balance(node["closing_balance"], "statement.closing_balance"));
    return ok();
  }

  Result<void> entry(const YAML::Node& node, XmlProfile& p) const {
    BANKREC_TRY(yaml_.only_keys(node, "entry", {"path", "fields"}));
    if (!node["path"])
      return yaml_.error(node, "entry.path", "missing: the path from a statement to each entry");
    p.entry = BANKREC_TRY(path(node["path"], "entry.path"));
    if (p.entry.steps.empty() || !p.entry.attribute.empty())
      return yaml_.error(node["path"], "entry.path", "must name elements below the statement element");
    if (!node["fields"]) return yaml_.error(node, "entry.fields", "missing: at least the amount's path");
    p.fields = BANKREC_TRY(fields(node["fields"], "entry.fields", xml_entry_fields()));
    if (!p.fields.contains("amount"))
      return yaml_.error(node["fields"], "entry.fields.amount", "missing: every entry needs an amount");
    return ok();
  }

  Result<void> values(const YAML::Node& node, XmlProfile& p) const {
    BANKREC_TRY(yaml_.only_keys(node, "values",
                                {"date_format", "decimal_separator", "thousands_separator", "currency"}));
    if (node["date_format"]) {
      p.date_format = BANKREC_TRY(yaml_.string(node["date_format"], "values.date_format"));
      const auto& f = p.date_format;
      if (f.find('Y') == std::string::npos || f.find('M') == std::string::npos ||
          f.find('D') == std::string::npos)
        return yaml_.error(node["date_format"], "values.date_format",
                           "'" + f + "' needs YYYY (or YY), MM (or M) and DD (or D)");
    }
    if (node["decimal_separator"])
      p.decimal_separator =
          BANKREC_TRY(separator(node["decimal_separator"], "values.decimal_separator", ".,"));
    if (node["thousands_separator"])
      p.thousands_separator =
          BANKREC_TRY(separator(node["thousands_separator"], "values.thousands_separator", ".,' "));
    if (p.thousands_separator == p.decimal_separator)
      return yaml_.error(node, "values.thousands_separator", "must differ from the decimal separator");
    if (node["currency"]) {
      p.currency = BANKREC_TRY(yaml_.string(node["currency"], "values.currency"));
      if (!domain::Currency::find(p.currency))
        return yaml_.error(node["currency"], "values.currency", "unknown currency '" + p.currency + "'");
    }
    return ok();
  }

  Result<void> sign(const YAML::Node& node, XmlProfile& p) const {
    BANKREC_TRY(yaml_.only_keys(node, "sign", {"debit", "credit", "negate"}));
    if (node["debit"]) p.debit_values = BANKREC_TRY(yaml_.strings(node["debit"], "sign.debit"));
    if (node["credit"]) p.credit_values = BANKREC_TRY(yaml_.strings(node["credit"], "sign.credit"));
    if (node["negate"]) p.negate = BANKREC_TRY(yaml_.boolean(node["negate"], "sign.negate"));
    return ok();
  }

  Result<void> status(const YAML::Node& node, XmlProfile& p) const {
    BANKREC_TRY(yaml_.only_keys(node, "status", {"pending", "info"}));
    if (node["pending"]) p.pending_values = BANKREC_TRY(yaml_.strings(node["pending"], "status.pending"));
    if (node["info"]) p.info_values = BANKREC_TRY(yaml_.strings(node["info"], "status.info"));
    return ok();
  }

  const Yaml& yaml() const { return yaml_; }

 private:
  Yaml yaml_;
};

}  // namespace

Result<XmlProfile> parse_xml_profile(const YAML::Node& root, const std::string& path) {
  const Reader r(root, path);
  const Yaml& y = r.yaml();
  BANKREC_TRY(y.only_keys(
      root, "", {"kind", "name", "description", "detect", "statement", "entry", "values", "sign", "status"}));
  XmlProfile p;
  p.path = path;
  p.name = BANKREC_TRY(y.profile_name(root));
  if (root["description"]) p.description = BANKREC_TRY(y.string(root["description"], "description"));
  if (!root["detect"]) return y.error(root, "detect", "missing: how to recognise the file (detect.root)");
  BANKREC_TRY(r.detect(root["detect"], p));
  if (!root["statement"]) return y.error(root, "statement", "missing: statement.path");
  BANKREC_TRY(r.statement(root["statement"], p));
  if (!root["entry"]) return y.error(root, "entry", "missing: entry.path and entry.fields");
  BANKREC_TRY(r.entry(root["entry"], p));
  if (root["values"]) BANKREC_TRY(r.values(root["values"], p));
  if (root["sign"]) BANKREC_TRY(r.sign(root["sign"], p));
  if (root["status"]) BANKREC_TRY(r.status(root["status"], p));
  const bool has_direction = p.fields.contains("direction") || !p.opening_balance.direction.empty() ||
                             !p.closing_balance.direction.empty();
  if (has_direction && (p.debit_values.empty() || p.credit_values.empty()))
    return y.error(root, "sign", "a direction path needs sign.debit and sign.credit values");
  return p;
}

}  // namespace bankrec::formats
