#pragma once

#include <string_view>

#include "bankrec/formats/format.h"
#include "xml/xml_document.h"
#include "xml/xml_profile.h"

// Profile selection and the statement/entry mapping of the generic XML format.
namespace bankrec::formats::xml {

/// `options.profile` when forced, else the xml profile whose root element, namespace and marker
/// texts fit; an error listing every xml profile and why it does not fit otherwise.
Result<const XmlProfile*> choose_profile(std::string_view input, std::string_view root, std::string_view ns,
                                         const ParseOptions& options);

/// Streams statements and entries from `doc`, positioned on the root element, into the sink.
Result<void> map_document(const XmlProfile& profile, Doc& doc, const ParseOptions& options,
                          StatementSink& sink);

}  // namespace bankrec::formats::xml
