#pragma once

#include <string>
#include <string_view>

#include "bankrec/formats/format_registry.h"
#include "bankrec/testing/testing.h"

// Small CAMT documents for the unit tests, parsed through the public registry.
namespace bankrec::formats::camt_test {

inline constexpr std::string_view kNs08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";

/// The registered spec with this id ("camt.053"); specs are plain function tables.
inline FormatSpec spec(std::string_view id) {
  FormatRegistry registry;
  register_builtin_formats(registry);
  const FormatSpec* s = registry.find(id);
  if (s == nullptr) ADD_FAILURE() << "no format " << id;
  return s != nullptr ? *s : FormatSpec{};
}

/// A camt.053 document with one Stmt whose body follows the account.
inline std::string statement_doc(std::string_view stmt_body, std::string_view ns = kNs08) {
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"";
  doc += ns;
  doc +=
      "\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-02-01T06:00:00</CreDtTm></GrpHdr>\n"
      "<Stmt>\n<Id>S1</Id>\n<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n";
  doc += stmt_body;
  doc += "</Stmt>\n</BkToCstmrStmt>\n</Document>\n";
  return doc;
}

/// An Ntry with amount, direction and extra children.
inline std::string entry(std::string_view amount, std::string_view direction, std::string_view extra = {},
                         std::string_view ccy = "EUR") {
  std::string e = "<Ntry><Amt Ccy=\"";
  e += ccy;
  e += "\">";
  e += amount;
  e += "</Amt><CdtDbtInd>";
  e += direction;
  e += "</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-01-31</Dt></BookgDt>";
  e += extra;
  e += "</Ntry>\n";
  return e;
}

inline std::string balance(std::string_view code, std::string_view amount,
                           std::string_view direction = "CRDT") {
  return "<Bal><Tp><CdOrPrtry><Cd>" + std::string(code) + "</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" +
         std::string(amount) + "</Amt><CdtDbtInd>" + std::string(direction) +
         "</CdtDbtInd><Dt><Dt>2024-01-31</Dt></Dt></Bal>\n";
}

inline Result<ParseOutput> parse(std::string_view xml, std::string_view id = "camt.053") {
  return parse_collect(spec(id), as_bytes(xml), {.file_name = "t.xml"});
}

}  // namespace bankrec::formats::camt_test
