#pragma once

#include <string>
#include <vector>

#include "bankrec/base/bytes.h"
#include "bankrec/base/result.h"

// The text layer of a PDF, through poppler-cpp. Kept apart so poppler's headers stay in one file.
namespace bankrec::formats {

/// One page's text in physical layout (columns kept apart by spaces), one string per line.
struct PdfPage {
  std::vector<std::string> lines;
};

/// Every page's text. Fails for damaged or password-protected files and above `max_pages`.
Result<std::vector<PdfPage>> extract_pdf_text(Bytes input, std::size_t max_pages);

}  // namespace bankrec::formats
