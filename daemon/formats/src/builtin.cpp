#include "bankrec/formats/format_registry.h"
#include "builtin_formats.h"

namespace bankrec::formats {

// Explicit registration, one line per format: adding a format touches only this list.
void register_builtin_formats(FormatRegistry& registry) {
  registry.add(camt052_format());
  registry.add(camt053_format());
  registry.add(camt054_format());
  registry.add(mt940_format());
  registry.add(mt942_format());
  registry.add(ofx_format());
  registry.add(qif_format());
  registry.add(csv_format());
  registry.add(xlsx_format());
  registry.add(xls_format());
  registry.add(xml_format());
  registry.add(pdf_format());
}

}  // namespace bankrec::formats
