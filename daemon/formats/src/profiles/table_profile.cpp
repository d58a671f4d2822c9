// Reading and validating `kind: table` profiles. Every error names the profile file, the line and
// column of the offending node (yaml-cpp Mark()) and the key path ("columns.amount").
#include "profiles/table_profile.h"

#include <algorithm>
#include <array>
#include <set>

#include "profiles/yaml_util.h"

namespace bankrec::formats {
namespace {

constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "account",           "account_bic",       "account_name",         "account_owner",
    "account_bank",      "booking_date",      "value_date",           "amount",
    "debit",             "credit",            "sign",                 "currency",
    "fee",               "status",            "posting_text",         "transaction_code",
    "counterparty_name", "counterparty_iban", "counterparty_bic",     "counterparty_account",
    "counterparty_bank_code", "purpose",      "end_to_end_id",        "mandate_id",
    "creditor_id",       "bank_reference",    "customer_reference",   "structured_reference",
    "balance_after"};

std::optional<Field> find_field(std::string_view name) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (name == kFieldNames[i]) return static_cast<Field>(i);
  return std::nullopt;
}

bool is_text_field(Field f) {
  switch (f) {
    case Field::booking_date:
    case Field::value_date:
    case Field::amount:
    case Field::debit:
    case Field::credit:
    case Field::fee:
    case Field::balance_after:
      return false;
    default:
      return true;
  }
}

Result<ColumnRef> parse_column(const Yaml& y, const YAML::Node& node, const std::string& key) {
  ColumnRef ref;
  if (node.IsScalar()) {
    ref.name = node.Scalar();
    ref.key = header_key(ref.name);
    if (ref.key.empty()) return y.error(node, key, "a column name needs letters or digits");
    return ref;
  }
  if (!node.IsMap()) return y.error(node, key, "a column is a name or a mapping {name|index, occurrence, optional}");
  BANKREC_TRY(y.only_keys(node, key, {"name", "index", "occurrence", "optional"}));
  if (node["name"]) {
    ref.name = BANKREC_TRY(y.string(node["name"], key + ".name"));
    ref.key = header_key(ref.name);
    if (ref.key.empty()) return y.error(node["name"], key + ".name", "a column name needs letters or digits");
  }
  if (node["index"]) ref.index = BANKREC_TRY(y.uint(node["index"], key + ".index", 1, 1000));
  if (ref.name.empty() == !ref.by_index())
    return y.error(node, key, "give exactly one of 'name' and 'index'");
  if (const auto occ = node["occurrence"]) {
    if (occ.IsScalar() && occ.Scalar() == "last") {
      ref.occurrence = -1;
    } else {
      ref.occurrence = static_cast<int>(BANKREC_TRY(y.uint(occ, key + ".occurrence", 1, 100)));
    }
  }
  if (node["optional"]) ref.optional = BANKREC_TRY(y.boolean(node["optional"], key + ".optional"));
  return ref;
}

Result<std::vector<ColumnRef>> parse_columns(const Yaml& y, const YAML::Node& node, const std::string& key,
                                             bool several_allowed) {
  std::vector<ColumnRef> out;
  if (!node.IsSequence()) {
    out.push_back(BANKREC_TRY(parse_column(y, node, key)));
    return out;
  }
  if (!several_allowed) return y.error(node, key, "takes one column (several are joined only for text fields)");
  if (node.size() == 0) return y.error(node, key, "an empty list of columns");
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(BANKREC_TRY(parse_column(y, node[i], key + "[" + std::to_string(i) + "]")));
  return out;
}

Result<FieldSource> parse_field(const Yaml& y, const YAML::Node& node, const std::string& key, Field field) {
  FieldSource src;
  const bool text = is_text_field(field);
  if (node.IsMap() && (node["credit"] || node["debit"])) {
    if (!text) return y.error(node, key, "only text fields can depend on the direction (credit/debit)");
    BANKREC_TRY(y.only_keys(node, key, {"credit", "debit"}));
    if (!node["credit"] || !node["debit"]) return y.error(node, key, "give both 'credit' and 'debit'");
    src.credit = BANKREC_TRY(parse_columns(y, node["credit"], key + ".credit", true));
    src.debit = BANKREC_TRY(parse_columns(y, node["debit"], key + ".debit", true));
    return src;
  }
  src.columns = BANKREC_TRY(parse_columns(y, node, key, text));
  return src;
}

Result<domain::DateOrder> parse_date_format(const Yaml& y, const YAML::Node& node, const std::string& key) {
  const std::string f = BANKREC_TRY(y.string(node, key));
  std::string letters;
  for (char c : f) {
    const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if ((u == 'D' || u == 'M' || u == 'Y') && (letters.empty() || letters.back() != u)) letters += u;
  }
  if (letters == "DMY") return domain::DateOrder::dmy;
  if (letters == "MDY") return domain::DateOrder::mdy;
  if (letters == "YMD") return domain::DateOrder::ymd;
  return y.error(node, key, "expected a date format such as DD.MM.YYYY, DD.MM.YY, M/D/YYYY, YYYY-MM-DD or auto");
}

Result<std::vector<std::string>> normalised_list(const Yaml& y, const YAML::Node& node, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& s : BANKREC_TRY(y.strings(node, key))) out.push_back(header_key(s));
  return out;
}

Result<PreambleValue> parse_preamble_value(const Yaml& y, const YAML::Node& node, const std::string& key) {
  PreambleValue v;
  if (!node.IsMap()) return y.error(node, key, "expected {label: TEXT | line: N, cell: N} or {under: TEXT}");
  BANKREC_TRY(y.only_keys(node, key, {"label", "line", "cell", "currency_cell", "under"}));
  if (node["label"]) {
    v.label_text = BANKREC_TRY(y.string(node["label"], key + ".label"));
    v.label = header_key(v.label_text);
    if (v.label.empty()) return y.error(node["label"], key + ".label", "a label needs letters or digits");
  }
  if (node["line"]) v.line = BANKREC_TRY(y.uint(node["line"], key + ".line", 1, 100));
  if (node["under"]) {
    v.under_text = BANKREC_TRY(y.string(node["under"], key + ".under"));
    v.under = header_key(v.under_text);
    if (v.under.empty()) return y.error(node["under"], key + ".under", "a caption needs letters or digits");
    for (const char* other : {"cell", "currency_cell"})
      if (node[other])
        return y.error(node[other], key + "." + other, "does not go with 'under' (the value is the cell below the caption)");
  }
  if ((v.label.empty() ? 0 : 1) + (v.line == 0 ? 0 : 1) + (v.under.empty() ? 0 : 1) != 1)
    return y.error(node, key, "give exactly one of 'label', 'line' and 'under'");
  if (node["cell"]) v.cell = BANKREC_TRY(y.uint(node["cell"], key + ".cell", 1, 100));
  if (node["currency_cell"]) v.currency_cell = BANKREC_TRY(y.uint(node["currency_cell"], key + ".currency_cell", 1, 100));
  return v;
}

Result<void> parse_match(const Yaml& y, const YAML::Node& m, TableProfile& p) {
  BANKREC_TRY(y.only_keys(m, "match", {"header", "min_header_share", "columns", "preamble", "file_name", "has_header"}));
  if (m["has_header"]) p.has_header = BANKREC_TRY(y.boolean(m["has_header"], "match.has_header"));
  if (m["header"]) {
    if (!m["header"].IsSequence()) return y.error(m["header"], "match.header", "expected a list of column names");
    for (std::size_t i = 0; i < m["header"].size(); ++i)
      p.header.push_back(BANKREC_TRY(parse_column(y, m["header"][i], "match.header[" + std::to_string(i) + "]")));
  }
  if (m["min_header_share"])
    p.min_header_share = BANKREC_TRY(y.uint(m["min_header_share"], "match.min_header_share", 50, 100));
  if (m["columns"]) p.column_count = BANKREC_TRY(y.uint(m["columns"], "match.columns", 1, 1000));
  if (m["preamble"]) {
    p.preamble_marker_texts = BANKREC_TRY(y.strings(m["preamble"], "match.preamble"));
    for (const auto& t : p.preamble_marker_texts) p.preamble_markers.push_back(header_key(t));
  }
  if (m["file_name"]) {
    p.file_name_text = BANKREC_TRY(y.string(m["file_name"], "match.file_name"));
    p.file_name = BANKREC_TRY(y.regex(m["file_name"], "match.file_name"));
  }
  if (p.has_header && p.header.empty())
    return y.error(m, "match.header", "a profile with a header row must list its column names");
  if (!p.has_header && p.column_count == 0)
    return y.error(m, "match.columns", "a headerless profile must give the column count");
  return ok();
}

Result<void> parse_csv(const Yaml& y, const YAML::Node& c, TableProfile& p) {
  BANKREC_TRY(y.only_keys(c, "csv", {"encoding", "delimiter", "newest_first"}));
  if (c["encoding"]) {
    const std::string enc = BANKREC_TRY(y.string(c["encoding"], "csv.encoding"));
    if (enc != "auto") {
      auto cs = text::parse_charset(enc);
      if (!cs) return y.error(c["encoding"], "csv.encoding", cs.error().message);
      p.charset = *cs;
    }
  }
  if (c["delimiter"]) {
    const std::string d = BANKREC_TRY(y.string(c["delimiter"], "csv.delimiter"));
    if (d == "tab" || d == "\t") p.delimiter = '\t';
    else if (d == ";" || d == "," || d == "|") p.delimiter = d[0];
    else if (d != "auto") return y.error(c["delimiter"], "csv.delimiter", "expected ';', ',', '|', tab or auto");
  }
  if (c["newest_first"]) p.newest_first = BANKREC_TRY(y.boolean(c["newest_first"], "csv.newest_first"));
  return ok();
}

Result<void> parse_columns_section(const Yaml& y, const YAML::Node& cols, TableProfile& p) {
  if (!cols || !cols.IsMap()) return y.error(cols ? cols : y.root(), "columns", "a profile maps fields to columns under 'columns'");
  for (const auto& kv : cols) {
    const std::string key = kv.first.Scalar();
    const auto field = find_field(key);
    if (!field) {
      std::string list;
      for (const char* n : kFieldNames) list += (list.empty() ? "" : ", ") + std::string(n);
      return y.error(kv.first, "columns." + key, "unknown field (expected one of: " + list + ")");
    }
    p.fields[static_cast<std::size_t>(*field)] = BANKREC_TRY(parse_field(y, kv.second, "columns." + key, *field));
  }
  const bool amount = !p.field(Field::amount).empty();
  const bool split = !p.field(Field::debit).empty() || !p.field(Field::credit).empty();
  if (!amount && !split) return y.error(cols, "columns", "needs 'amount', or 'debit' and 'credit'");
  if (amount && split) return y.error(cols, "columns", "give 'amount' or 'debit'/'credit', not both");
  if (split && (p.field(Field::debit).empty() || p.field(Field::credit).empty()))
    return y.error(cols, "columns", "separate amount columns need both 'debit' and 'credit'");
  if (p.field(Field::booking_date).empty() && p.field(Field::value_date).empty())
    return y.error(cols, "columns", "needs 'booking_date' or 'value_date'");
  if (!p.has_header) {
    for (const auto& src : p.fields)
      for (const auto* list : {&src.columns, &src.credit, &src.debit})
        for (const auto& ref : *list)
          if (!ref.by_index()) return y.error(cols, "columns", "a headerless profile names columns by index, not '" + ref.name + "'");
  }
  return ok();
}

Result<void> parse_formats(const Yaml& y, const YAML::Node& root, TableProfile& p) {
  if (const auto d = root["dates"]) {
    BANKREC_TRY(y.only_keys(d, "dates", {"format"}));
    if (d["format"] && d["format"].IsScalar() && d["format"].Scalar() == "auto") {
      p.date_order_auto = true;
    } else if (d["format"]) {
      p.date_order = BANKREC_TRY(parse_date_format(y, d["format"], "dates.format"));
    }
  }
  if (const auto a = root["amounts"]) {
    BANKREC_TRY(y.only_keys(a, "amounts", {"decimal", "currency"}));
    if (a["decimal"]) {
      const std::string d = BANKREC_TRY(y.string(a["decimal"], "amounts.decimal"));
      if (d == "," || d == ".") p.decimal_sep = d[0];
      else if (d != "auto") return y.error(a["decimal"], "amounts.decimal", "expected ',', '.' or auto");
    }
    if (a["currency"]) {
      const std::string code = BANKREC_TRY(y.string(a["currency"], "amounts.currency"));
      p.currency = domain::Currency::find(code);
      if (!p.currency) return y.error(a["currency"], "amounts.currency", "unknown currency '" + code + "'");
    }
  }
  if (const auto s = root["sign"]) {
    BANKREC_TRY(y.only_keys(s, "sign", {"debit", "credit"}));
    if (s["debit"]) p.debit_marks = BANKREC_TRY(normalised_list(y, s["debit"], "sign.debit"));
    if (s["credit"]) p.credit_marks = BANKREC_TRY(normalised_list(y, s["credit"], "sign.credit"));
  }
  if (const auto s = root["status"]) {
    BANKREC_TRY(y.only_keys(s, "status", {"pending", "info", "skip"}));
    if (s["pending"]) p.pending_values = BANKREC_TRY(normalised_list(y, s["pending"], "status.pending"));
    if (s["info"]) p.info_values = BANKREC_TRY(normalised_list(y, s["info"], "status.info"));
    if (s["skip"]) p.skip_values = BANKREC_TRY(normalised_list(y, s["skip"], "status.skip"));
    if (p.field(Field::status).empty()) return y.error(s, "status", "values given but no 'status' column");
  }
  if (root["sepa_keywords"]) p.sepa_keywords = BANKREC_TRY(y.boolean(root["sepa_keywords"], "sepa_keywords"));
  return ok();
}

Result<void> parse_preamble(const Yaml& y, const YAML::Node& pre, TableProfile& p) {
  BANKREC_TRY(y.only_keys(pre, "preamble", {"account_iban", "account_bic", "account_name", "account_owner", "period",
                                            "opening_balance", "closing_balance"}));
  const std::pair<const char*, PreambleValue*> keys[] = {
      {"account_iban", &p.account_iban},   {"account_bic", &p.account_bic},   {"account_name", &p.account_name},
      {"account_owner", &p.account_owner}, {"period", &p.period},
      {"opening_balance", &p.opening_balance}, {"closing_balance", &p.closing_balance}};
  for (const auto& [key, target] : keys)
    if (pre[key]) *target = BANKREC_TRY(parse_preamble_value(y, pre[key], std::string("preamble.") + key));
  return ok();
}

Result<void> parse_rows(const Yaml& y, const YAML::Node& rows, TableProfile& p) {
  BANKREC_TRY(y.only_keys(rows, "rows", {"end_at", "skip_text_rows"}));
  if (rows["end_at"]) {
    p.end_at_text = BANKREC_TRY(y.string(rows["end_at"], "rows.end_at"));
    if (p.end_at_text.empty()) return y.error(rows["end_at"], "rows.end_at", "an empty pattern would end the data at once");
    p.end_at = BANKREC_TRY(y.regex(rows["end_at"], "rows.end_at"));
  }
  if (rows["skip_text_rows"]) p.skip_text_rows = BANKREC_TRY(y.boolean(rows["skip_text_rows"], "rows.skip_text_rows"));
  return ok();
}

Result<void> parse_extract(const Yaml& y, const YAML::Node& list, TableProfile& p) {
  if (!list.IsSequence()) return y.error(list, "extract", "expected a list of {from, field, pattern, cut}");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& n = list[i];
    const std::string key = "extract[" + std::to_string(i) + "]";
    if (!n.IsMap()) return y.error(n, key, "expected {from, field, pattern, cut}");
    BANKREC_TRY(y.only_keys(n, key, {"from", "field", "pattern", "cut"}));
    Extraction e;
    for (const auto& [k, target] : {std::pair{"from", &e.from}, std::pair{"field", &e.target}}) {
      if (!n[k]) return y.error(n, key + "." + k, "missing");
      const std::string name = BANKREC_TRY(y.string(n[k], key + "." + k));
      const auto f = find_field(name);
      if (!f || !is_text_field(*f)) return y.error(n[k], key + "." + k, "'" + name + "' is not a text field");
      *target = *f;
    }
    if (!n["pattern"]) return y.error(n, key + ".pattern", "missing");
    e.pattern = BANKREC_TRY(y.string(n["pattern"], key + ".pattern"));
    e.regex = BANKREC_TRY(y.regex(n["pattern"], key + ".pattern"));
    if (e.regex.mark_count() < 1) return y.error(n["pattern"], key + ".pattern", "needs a capture group (...) for the value");
    if (n["cut"]) e.cut = BANKREC_TRY(y.boolean(n["cut"], key + ".cut"));
    p.extractions.push_back(std::move(e));
  }
  return ok();
}

}  // namespace

const char* field_name(Field field) { return kFieldNames[static_cast<std::size_t>(field)]; }

std::string header_key(std::string_view name) { return text::normalize_for_matching(name); }

Result<TableProfile> parse_table_profile(const YAML::Node& root, const std::string& path) {
  const Yaml y(path, root);
  BANKREC_TRY(y.only_keys(root, "", {"name", "description", "kind", "match", "csv", "columns", "dates", "amounts",
                                     "sign", "status", "sepa_keywords", "preamble", "extract", "rows"}));
  TableProfile p;
  p.path = path;
  p.name = BANKREC_TRY(y.profile_name(root));
  if (root["description"]) p.description = BANKREC_TRY(y.string(root["description"], "description"));
  if (!root["match"]) return y.error(root, "match", "missing: how to recognise the file");
  BANKREC_TRY(parse_match(y, root["match"], p));
  if (root["csv"]) BANKREC_TRY(parse_csv(y, root["csv"], p));
  BANKREC_TRY(parse_columns_section(y, root["columns"], p));
  BANKREC_TRY(parse_formats(y, root, p));
  if (root["preamble"]) BANKREC_TRY(parse_preamble(y, root["preamble"], p));
  if (root["extract"]) BANKREC_TRY(parse_extract(y, root["extract"], p));
  if (root["rows"]) BANKREC_TRY(parse_rows(y, root["rows"], p));
  return p;
}

}  // namespace bankrec::formats
