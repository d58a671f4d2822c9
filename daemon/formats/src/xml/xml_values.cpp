#include "xml/xml_values.h"

#include <libxml/tree.h>

#include <charconv>

#include "bankrec/domain/money.h"

namespace bankrec::formats::xml {
namespace {

std::string_view local_name(const xmlNode* node) {
  return node->name == nullptr ? std::string_view()
                               : std::string_view(reinterpret_cast<const char*>(node->name));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string normalized(const xmlChar* raw) {
  std::string out;
  if (raw == nullptr) return out;
  bool gap = false;
  for (const char* p = reinterpret_cast<const char*>(raw); *p != '\0'; ++p) {
    if (is_space(*p)) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += *p;
  }
  return out;
}

std::string text_of(xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = normalized(content);
  xmlFree(content);
  return out;
}

std::optional<std::string> attribute_of(xmlNode* element, std::string_view name) {
  for (xmlAttr* a = element->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr || std::string_view(reinterpret_cast<const char*>(a->name)) != name) continue;
    xmlChar* value = xmlNodeListGetString(element->doc, a->children, 1);
    std::string out = normalized(value);
    xmlFree(value);
    return out;
  }
  return std::nullopt;
}

void select(xmlNode* context, const XmlPath& path, std::size_t step, std::vector<xmlNode*>& out) {
  if (step == path.steps.size()) {
    out.push_back(context);
    return;
  }
  const XmlPathStep& s = path.steps[step];
  for (xmlNode* child = context->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE || !s.matches_name(local_name(child))) continue;
    if (!matches_predicate(child, s)) continue;
    select(child, path, step + 1, out);
  }
}

int digit_count(std::string_view s) { return static_cast<int>(s.size()); }

}  // namespace

bool matches_predicate(xmlNode* element, const XmlPathStep& step) {
  if (!step.attribute.empty()) return attribute_of(element, step.attribute).value_or("\x01") == step.value;
  if (step.child.empty()) return true;
  for (xmlNode* c = element->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE && local_name(c) == step.child && text_of(c) == step.value) return true;
  return false;
}

std::vector<std::string> select_values(xmlNode* context, const XmlPath& path, std::size_t first_step) {
  std::vector<xmlNode*> nodes;
  select(context, path, first_step, nodes);
  std::vector<std::string> out;
  for (xmlNode* node : nodes) {
    std::optional<std::string> v =
        path.attribute.empty() ? text_of(node) : attribute_of(node, path.attribute);
    if (v && !v->empty()) out.push_back(std::move(*v));
  }
  return out;
}

long field_line(xmlNode* context, const XmlField& field) {
  for (const auto& path : field.paths) {
    std::vector<xmlNode*> nodes;
    select(context, path, 0, nodes);
    if (!nodes.empty()) return xmlGetLineNo(nodes.front());
  }
  return xmlGetLineNo(context);
}

std::optional<std::string> field_value(xmlNode* context, const XmlField& field, std::size_t first_step) {
  std::string out;
  for (const auto& path : field.paths)
    for (const auto& v : select_values(context, path, first_step)) out += (out.empty() ? "" : " ") + v;
  if (out.empty()) return std::nullopt;
  return out;
}

Result<domain::Date> parse_date_pattern(std::string_view text, std::string_view pattern) {
  const auto bad = [&] {
    return fail(Errc::invalid_input,
                "invalid date '" + std::string(text) + "' (expected " + std::string(pattern) + ")");
  };
  int year = -1, month = -1, day = -1;
  std::size_t t = 0;
  for (std::size_t p = 0; p < pattern.size();) {
    const char c = pattern[p];
    if (c != 'Y' && c != 'M' && c != 'D') {
      if (t >= text.size() || text[t] != c) return bad();
      ++p, ++t;
      continue;
    }
    std::size_t run = 0;
    while (p + run < pattern.size() && pattern[p + run] == c) ++run;
    p += run;
    // One letter takes one or two digits ("D.M.YYYY"); longer runs take exactly that many.
    std::size_t n = 0;
    while (t + n < text.size() && text[t + n] >= '0' && text[t + n] <= '9' && (run > 1 ? n < run : n < 2))
      ++n;
    if (n == 0 || (run > 1 && n != run)) return bad();
    int v = 0;
    std::from_chars(text.data() + t, text.data() + t + n, v);
    t += n;
    if (c == 'Y') year = run == 2 ? (v < 80 ? 2000 + v : 1900 + v) : v;
    if (c == 'M') month = v;
    if (c == 'D') day = v;
  }
  if (t < text.size() && text[t] != ' ' && text[t] != 'T') return bad();
  if (year < 0 || month < 0 || day < 0 ||
      !domain::Date::is_valid(year, static_cast<unsigned>(month), static_cast<unsigned>(day)))
    return bad();
  return domain::Date{year, static_cast<std::uint8_t>(month), static_cast<std::uint8_t>(day)};
}

Result<std::int64_t> parse_minor(std::string_view text, char decimal_sep, char thousands_sep, int exponent) {
  std::string plain;
  for (char c : text)
    if (c != thousands_sep || thousands_sep == 0) plain += c;
  const std::size_t e = plain.find_first_of("eE");
  if (e != std::string::npos) {  // "1.23456789E7": shift the separator by the exponent, exactly
    int shift = 0;
    const std::string_view exp_text = std::string_view(plain).substr(e + 1 + (plain[e + 1] == '+' ? 1 : 0));
    const auto r = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), shift);
    if (r.ec != std::errc() || r.ptr != exp_text.data() + exp_text.size() || shift < -30 || shift > 30)
      return fail(Errc::invalid_input, "invalid amount '" + std::string(text) + "'");
    std::string mantissa = plain.substr(0, e);
    std::string sign;
    if (!mantissa.empty() && (mantissa[0] == '-' || mantissa[0] == '+')) {
      sign = mantissa.substr(0, 1);
      mantissa.erase(0, 1);
    }
    const std::size_t dot = mantissa.find(decimal_sep);
    std::string digits =
        dot == std::string::npos ? mantissa : mantissa.substr(0, dot) + mantissa.substr(dot + 1);
    int point = static_cast<int>(dot == std::string::npos ? mantissa.size() : dot) + shift;
    if (digits.empty()) return fail(Errc::invalid_input, "invalid amount '" + std::string(text) + "'");
    while (point <= 0) digits.insert(digits.begin(), '0'), ++point;
    while (point > digit_count(digits)) digits += '0';
    plain = sign + digits.substr(0, static_cast<std::size_t>(point)) +
            (static_cast<std::size_t>(point) < digits.size()
                 ? std::string(1, decimal_sep) + digits.substr(static_cast<std::size_t>(point))
                 : "");
  }
  auto minor = domain::parse_decimal(plain, decimal_sep, exponent);
  if (!minor) return fail(Errc::invalid_input, "invalid amount '" + std::string(text) + "'");
  return *minor;
}

}  // namespace bankrec::formats::xml
