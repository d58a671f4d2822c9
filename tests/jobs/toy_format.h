#pragma once

#include "bankrec/formats/format.h"

namespace bankrec::jobs::testing_toy {

/// A line format for ingestion tests, parsed with the streaming sink like the real parsers:
///   S <stmt id|-> <sequence|-> <iban> <from date> <opening minor> <closing minor>
///   E <booking date> <amount minor> <b|p> <bank ref|-> <remittance ...>
///   X                 (an invalid line: the parse fails there)
formats::FormatSpec toy_format();

}  // namespace bankrec::jobs::testing_toy
