#pragma once

#include <string>
#include <string_view>

#include "bankrec/formats/format.h"
#include "ofx/ofx_document.h"

namespace bankrec::formats::ofx {

/// "ofx-1.02", "ofx-2.2" from the header's VERSION; "ofx" when the file has no header.
std::string format_name(const Document& doc);

/// Delivers every STMTRS, CCSTMTRS and INVSTMTRS of the document to the sink, in file order.
Result<void> emit_statements(std::string_view input, const Document& doc, const ParseOptions& options,
                             StatementSink& sink);

}  // namespace bankrec::formats::ofx
