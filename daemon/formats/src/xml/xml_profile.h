#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"

namespace bankrec::formats {

/// One step of an element path: a local name (namespaces are ignored) or "*", with an optional
/// predicate on an attribute ([@type='x']) or a child's text ([Cd='CLBD']).
struct XmlPathStep {
  std::string name;
  std::string attribute;  ///< predicate [@attribute='value']
  std::string child;      ///< predicate [child='value']
  std::string value;
  bool matches_name(std::string_view local) const { return name == "*" || name == local; }
};

/// "Account/IBAN", "Amt/@Ccy", "@id", "Bal[Tp='CLBD']/Amt", "." (the element itself).
struct XmlPath {
  std::vector<XmlPathStep> steps;
  std::string attribute;  ///< final "@name": the value is that attribute, not the element's text
  std::string text;       ///< as written in the profile, for messages
};

/// A field's source: its paths' values, joined with one space (for text split over elements).
struct XmlField {
  std::vector<XmlPath> paths;
  bool empty() const { return paths.empty(); }
};

/// A balance: amount, and optionally its currency, date and debit/credit mark.
struct XmlBalance {
  XmlField amount, currency, date, direction;
  bool empty() const { return amount.empty(); }
};

/// A generic XML profile (`kind: xml`): element paths → fields, for bank or PSP exports that are
/// neither CAMT nor OFX. etc/profiles/hibiscus-xml.yaml documents every key.
struct XmlProfile {
  std::string name;
  std::string path;
  std::string description;

  // detect:
  std::string root;                   ///< local name of the root element
  std::string namespace_uri;          ///< required namespace of the root ("" = any)
  std::vector<std::string> contains;  ///< texts the first 64 KiB must contain

  XmlPath statement;                       ///< from the root: one statement per match
  std::map<std::string, XmlField> header;  ///< statement fields, relative to the statement element
  XmlBalance opening_balance, closing_balance;
  XmlPath entry;                           ///< relative to the statement element
  std::map<std::string, XmlField> fields;  ///< entry fields, relative to the entry element

  // values:
  std::string date_format =
      "YYYY-MM-DD";  ///< Y, M, D runs; the rest literal; a time part after it is ignored
  char decimal_separator = '.';
  char thousands_separator = 0;
  std::string currency;  ///< when neither entry nor account names one ("" = must be in the file)
  std::vector<std::string> debit_values, credit_values;  ///< direction field values
  bool negate = false;                                   ///< amounts are signed from the bank's view
  std::vector<std::string> pending_values, info_values;  ///< status field values
};

/// Statement and entry field names a profile may map (`statement.fields`, `entry.fields`).
const std::vector<std::string>& xml_statement_fields();
const std::vector<std::string>& xml_entry_fields();

/// Parses "Account/IBAN", "Bal[Tp='CLBD']/Amt/@Ccy"; fails with a message saying what is wrong.
Result<XmlPath> parse_xml_path(std::string_view text);

/// Validates one `kind: xml` profile document; errors name `path`, line and key.
Result<XmlProfile> parse_xml_profile(const YAML::Node& root, const std::string& path);

}  // namespace bankrec::formats
