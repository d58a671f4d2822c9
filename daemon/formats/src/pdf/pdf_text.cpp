#include "pdf/pdf_text.h"

#include <memory>
#include <mutex>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

namespace bankrec::formats {
namespace {

void quiet(const std::string& /*message*/, void* /*closure*/) {}

/// Poppler prints syntax warnings about damaged files to stderr unless told otherwise; damage is
/// reported through our own errors instead. The hook is process-wide, so it is set once.
void silence_poppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(&quiet, nullptr); });
}

}  // namespace

Result<std::vector<PdfPage>> extract_pdf_text(Bytes input, std::size_t max_pages) {
  silence_poppler();
  if (input.size() > static_cast<std::size_t>(INT32_MAX))
    return fail(Errc::invalid_input, "the PDF is larger than 2 GiB");
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(input.data()), static_cast<int>(input.size())));
  if (!doc) return fail(Errc::invalid_input, "not a readable PDF (damaged or not a PDF)");
  if (doc->is_locked())
    return fail(Errc::invalid_input, "the PDF is password-protected; export it without a password");
  const int pages = doc->pages();
  if (pages <= 0) return fail(Errc::invalid_input, "the PDF has no pages");
  if (static_cast<std::size_t>(pages) > max_pages)
    return fail(Errc::invalid_input, "the PDF has " + std::to_string(pages) +
                                         " pages, more than the limit of " + std::to_string(max_pages));
  std::vector<PdfPage> out;
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    PdfPage p;
    if (page) {
      const poppler::byte_array utf8 = page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
      std::string text(utf8.begin(), utf8.end());
      std::size_t start = 0;
      while (start <= text.size()) {
        std::size_t end = text.find_first_of("\n\f", start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        p.lines.push_back(std::move(line));
        start = end + 1;
      }
      while (!p.lines.empty() && p.lines.back().empty()) p.lines.pop_back();
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace bankrec::formats
