// Generic XML statements (issue 9): a `kind: xml` bank profile says where statements, entries and
// their fields are. The document is streamed with libxml2's reader; each entry element (and each
// statement-level element a profile names) is expanded into a small tree and mapped, so memory is
// bounded by the largest entry, not the file.
#include "bankrec/base/text.h"
#include "builtin_formats.h"
#include "xml/xml_mapper.h"

namespace bankrec::formats {

namespace {

// The first 4 KiB: XML that is not CAMT (ISO 20022 namespace or BkToCstmr root) and not OFX.
// Low on purpose: only a matching profile makes such a file ours, and every specific format wins.
int sniff(Bytes head) {
  std::string_view text = text::strip_bom(as_text(head));
  while (!text.empty() &&
         (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n'))
    text.remove_prefix(1);
  if (!text.starts_with('<')) return 0;
  for (std::string_view other :
       {"urn:iso:std:iso:20022", "BkToCstmr", "<OFX", "OFXHEADER", "<?OFX", "<Document"})
    if (text.find(other) != std::string_view::npos) return 0;
  return 5;
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  const std::string_view text = as_text(input);
  if (input.size() > options.max_input_bytes)
    return parse_error(options, locate(text, 0),
                       "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                           std::to_string(options.max_input_bytes));
  auto doc = BANKREC_TRY(xml::Doc::open(text, options));
  while (BANKREC_TRY(doc->advance()))
    if (doc->type() == XML_READER_TYPE_ELEMENT) break;
  if (doc->type() != XML_READER_TYPE_ELEMENT)
    return parse_error(options, locate(text, text.size()), "no root element: the file is not xml");
  const XmlProfile* profile =
      BANKREC_TRY(xml::choose_profile(text, doc->name(), doc->namespace_uri(), options));
  return xml::map_document(*profile, *doc, options, sink);
}

}  // namespace

FormatSpec xml_format() { return {"xml", "generic XML export, mapped by a bank profile", &sniff, &parse}; }

}  // namespace bankrec::formats
