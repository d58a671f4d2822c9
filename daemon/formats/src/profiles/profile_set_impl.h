#pragma once

#include <string>
#include <vector>

#include "bankrec/formats/profile.h"
#include "pdf/pdf_profile.h"
#include "profiles/table_profile.h"
#include "xml/xml_profile.h"

namespace bankrec::formats {

/// What a ProfileSet holds, by kind (the `kind:` key of a profile file; default "table").
struct ProfileSet::Impl {
  std::vector<TableProfile> tables;  // kind: table (CSV, TSV, XLS, XLSX)
  std::vector<XmlProfile> xml;       // kind: xml
  std::vector<PdfProfile> pdf;       // kind: pdf
};

}  // namespace bankrec::formats
