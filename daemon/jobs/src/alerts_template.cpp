#include "alerts_template.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bankrec/base/text.h"

namespace bankrec::jobs::alerts_detail {
namespace {

constexpr std::size_t kMaxTemplateBytes = 64 * 1024;
constexpr std::array<std::string_view, 17> kPlaceholders = {
    "event",      "title",     "kind",        "key",         "severity",   "state",
    "message",    "object_type", "object_id", "first_seen",  "last_seen",  "resolved_at",
    "occurrences", "alert_id", "instance",    "console_url", "channel"};

constexpr std::string_view kDefaultText =
    "Subject: [{{instance}}] {{event}}: {{title}} ({{severity}})\n"
    "{{event}}: {{title}}\n\n{{message}}\n\n"
    "Kind:        {{kind}}\nAbout:       {{key}}\nSeverity:    {{severity}}\nState:       {{state}}\n"
    "First seen:  {{first_seen}}\nLast seen:   {{last_seen}}\nOccurrences: {{occurrences}}\n"
    "Alert id:    {{alert_id}}\n\n{{console_url}}\n-- \nSent by {{instance}} (bankrec). This is an automatic message.\n";
constexpr std::string_view kDefaultHtml =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{{event}}: {{title}}</title></head>\n"
    "<body>\n<h2>{{event}}: {{title}}</h2>\n<p style=\"white-space: pre-wrap;\">{{message}}</p>\n<table>\n"
    "<tr><th align=\"left\">Kind</th><td>{{kind}}</td></tr>\n<tr><th align=\"left\">About</th><td>{{key}}</td></tr>\n"
    "<tr><th align=\"left\">Severity</th><td>{{severity}}</td></tr>\n<tr><th align=\"left\">State</th><td>{{state}}</td></tr>\n"
    "<tr><th align=\"left\">First seen</th><td>{{first_seen}}</td></tr>\n"
    "<tr><th align=\"left\">Last seen</th><td>{{last_seen}}</td></tr>\n"
    "<tr><th align=\"left\">Occurrences</th><td>{{occurrences}}</td></tr>\n"
    "<tr><th align=\"left\">Alert id</th><td>{{alert_id}}</td></tr>\n</table>\n<p>{{console_url}}</p>\n"
    "<p>Sent by {{instance}} (bankrec). This is an automatic message.</p>\n</body>\n</html>\n";

Result<std::string> read_small_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::invalid_input, "cannot read template", path.string());
  if (size > kMaxTemplateBytes) return fail(Errc::invalid_input, "template larger than 64 KiB", path.string());
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  if (!in.good() && !in.eof()) return fail(Errc::invalid_input, "cannot read template", path.string());
  std::string text = out.str();
  if (!text::is_valid_utf8(text)) return fail(Errc::invalid_input, "template is not valid utf-8", path.string());
  return text;
}

Result<EmailTemplate> build(std::string_view txt, std::string_view html, const std::string& txt_origin,
                            const std::string& html_origin) {
  const std::size_t nl = txt.find('\n');
  std::string_view first = txt.substr(0, nl);
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  if (!first.starts_with("Subject:"))
    return fail(Errc::invalid_input, "the first line must be 'Subject: ...'", txt_origin + ":1");
  std::string_view body = nl == std::string_view::npos ? std::string_view() : txt.substr(nl + 1);
  EmailTemplate t;
  t.subject = BANKREC_TRY(parse_template(text::trim(first.substr(8)), txt_origin, 1));
  t.text = BANKREC_TRY(parse_template(body, txt_origin, 2));
  t.html = BANKREC_TRY(parse_template(html, html_origin));
  return t;
}

}  // namespace

Result<Template> parse_template(std::string_view text, std::string_view origin, int first_line) {
  Template t;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    const std::size_t close = text.find("}}", open + 2);
    const auto line = first_line + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(open), '\n');
    const std::string where = std::string(origin) + ":" + std::to_string(line);
    if (close == std::string_view::npos) return fail(Errc::invalid_input, "unterminated '{{'", where);
    const std::string name(text::trim(text.substr(open + 2, close - open - 2)));
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end())
      return fail(Errc::invalid_input, "unknown placeholder '{{" + name.substr(0, 64) + "}}'", where);
    t.pieces.push_back(std::move(literal));
    literal.clear();
    t.pieces.push_back(name);
    i = close + 2;
  }
  t.pieces.push_back(std::move(literal));
  return t;
}

std::string Template::render(const std::map<std::string, std::string, std::less<>>& values, Escape escape) const {
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i % 2 == 0) {
      out += pieces[i];
      continue;
    }
    const auto it = values.find(pieces[i]);
    const std::string_view v = it == values.end() ? std::string_view() : std::string_view(it->second);
    switch (escape) {
      case Escape::none: out += v; break;
      case Escape::html: out += html_escape(v); break;
      case Escape::header: out += header_safe(v, 200); break;
    }
  }
  return out;
}

Result<EmailTemplate> load_email_template(const std::filesystem::path& dir, std::string_view kind) {
  std::error_code ec;
  for (const std::string& name : {std::string(kind), std::string("default")}) {
    if (dir.empty()) break;
    const auto txt = dir / (name + ".txt"), html = dir / (name + ".html");
    const bool has_txt = std::filesystem::exists(txt, ec), has_html = std::filesystem::exists(html, ec);
    if (!has_txt && !has_html) continue;
    if (has_txt != has_html)
      return fail(Errc::invalid_input, "a template needs both .txt and .html", (has_txt ? html : txt).string());
    const std::string t = BANKREC_TRY(read_small_file(txt));
    const std::string h = BANKREC_TRY(read_small_file(html));
    return build(t, h, txt.string(), html.string());
  }
  return build(kDefaultText, kDefaultHtml, "built-in default.txt", "built-in default.html");
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string header_safe(std::string_view s, std::size_t max_bytes) {
  std::string out;
  for (const char c : s) out += static_cast<unsigned char>(c) < 32 || c == 127 ? ' ' : c;
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace bankrec::jobs::alerts_detail
