#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/open_item.h"
#include "bankrec/domain/statement.h"

/// The JSON forms of the model (contracts/statement-json.md, contracts/open-items.md). Boost.JSON
/// stays inside domain/src: callers see strings only.
namespace bankrec::domain {

enum class JsonStyle { compact, pretty };

/// {"file": ..., "format": ..., "statements": [...]} in the contract's key order; absent values
/// are written as null so that every object has the same keys.
std::string to_json(const StatementFile& file, JsonStyle style = JsonStyle::compact);
std::string to_json(const Statement& statement, JsonStyle style = JsonStyle::compact);
std::string to_json(const Entry& entry, JsonStyle style = JsonStyle::compact);
std::string to_json(const OpenItem& item, JsonStyle style = JsonStyle::compact);

/// Inverse of to_json(); fails naming the JSON path of the first bad field ("statements[0].entries[3].amount").
Result<StatementFile> statement_file_from_json(std::string_view json);
Result<Statement> statement_from_json(std::string_view json);
Result<OpenItem> open_item_from_json(std::string_view json);

/// {"file": ..., "error": {"message": ..., "line": N, "column": N}} for a file that failed.
std::string error_to_json(std::string_view file, const Error& error);

/// A JSON string literal, quotes included, escaped as RFC 8259 requires.
std::string json_quote(std::string_view text);

}  // namespace bankrec::domain
