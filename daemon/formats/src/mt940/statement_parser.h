#pragma once

#include "bankrec/formats/format.h"

// The MT940/MT942 document parser: fields in, statements and entry batches out (to the sink).
namespace bankrec::formats::mt940 {

/// Which message type the caller asked for. Both parse the same tags; MT942 entries are reported
/// as `pending` (the DK's "Vormerkposten") and its statements need no :60F:/:62F:.
enum class MessageType { mt940, mt942 };

/// Parses one document. Statements start at :20: (or at the first statement tag of a file that
/// lacks it, as a statement continued from another file does); a statement without :60F: or :62F:
/// is still delivered, with a warning.
Result<void> parse_document(Bytes input, const ParseOptions& options, StatementSink& sink, MessageType type);

}  // namespace bankrec::formats::mt940
