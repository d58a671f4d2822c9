#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"

/// The small template language of etc/templates/: {{name}} placeholders from a fixed set, filled in
/// one pass (a value is never scanned again), escaped for the output it goes to.
namespace bankrec::jobs::alerts_detail {

enum class Escape { none, html, header };

/// A parsed template: literal text and placeholder names, alternating.
struct Template {
  std::vector<std::string> pieces;  ///< even indices literal text, odd indices placeholder names
  std::string render(const std::map<std::string, std::string, std::less<>>& values, Escape escape) const;
};

/// Parses `text`; unknown placeholders and unterminated "{{" fail naming `origin:line`, where
/// `text` starts at line `first_line` of the file.
Result<Template> parse_template(std::string_view text, std::string_view origin, int first_line = 1);

/// An e-mail template: the subject from the .txt's "Subject:" first line, the text and HTML bodies.
struct EmailTemplate {
  Template subject, text, html;
};

/// Loads <dir>/<kind>.txt/.html, else <dir>/default.txt/.html, else the built-in defaults.
Result<EmailTemplate> load_email_template(const std::filesystem::path& dir, std::string_view kind);

std::string html_escape(std::string_view s);
/// Control characters and line breaks become spaces; cut at `max_bytes` on a UTF-8 boundary.
std::string header_safe(std::string_view s, std::size_t max_bytes);
std::string json_quote(std::string_view s);

}  // namespace bankrec::jobs::alerts_detail
