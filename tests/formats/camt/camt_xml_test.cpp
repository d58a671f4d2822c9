// The CAMT parser's own XML tokenizer (camt_xml_lex, camt_xml_encoding, camt_xml): references,
// CDATA, comments, processing instructions, line ends, namespaces by prefix, encodings, and the
// well-formedness errors with their positions, all seen through the public parse.
#include "camt_test_util.h"

namespace bankrec::formats {
namespace {

using camt_test::entry;
using camt_test::parse;
using camt_test::spec;
using camt_test::statement_doc;
using ::testing::HasSubstr;

std::string with_remittance(std::string_view ustrd) {
  return statement_doc(entry(
      "1.00", "CRDT",
      "<NtryDtls><TxDtls><RmtInf><Ustrd>" + std::string(ustrd) + "</Ustrd></RmtInf></TxDtls></NtryDtls>"));
}

std::string remittance_of(const Result<ParseOutput>& out) {
  if (!out) return "error: " + out.error().describe();
  return out->statements.at(0).entries.at(0).remittance.value_or("(none)");
}

TEST(CamtXml, references_are_expanded) {
  EXPECT_EQ(
      remittance_of(parse(with_remittance("A &amp; B &lt;C&gt; &quot;x&quot; &apos;y&apos; &#228;&#xE4;"))),
      "A & B <C> \"x\" 'y' \xC3\xA4\xC3\xA4");
}

TEST(CamtXml, cdata_comments_and_instructions_inside_text) {
  EXPECT_EQ(remittance_of(parse(with_remittance("a<!-- note --><![CDATA[<b>&amp;]]><?pi x?>z"))),
            "a<b>&amp;z");
}

TEST(CamtXml, line_ends_are_normalised) {
  EXPECT_EQ(remittance_of(parse(with_remittance("Zeile 1\r\nZeile 2\rZeile 3"))),
            "Zeile 1\nZeile 2\nZeile 3");
}

TEST(CamtXml, attribute_values_are_decoded_and_trimmed) {
  std::string doc = statement_doc(entry("1.00", "CRDT"));
  const std::size_t at = doc.find("Ccy=\"EUR\">1.00");
  doc.replace(at, 9, "Ccy=' &#69;UR '");
  const auto out = parse(doc);
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].entries[0].amount.to_string(), "1.00");
}

TEST(CamtXml, declared_prefix_is_read_by_its_local_name) {
  const std::string doc =
      "<?xml version='1.0'?>\n<!-- bank export -->\n<ns2:Document "
      "xmlns:ns2=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><ns2:BkToCstmrStmt><ns2:Stmt>"
      "<ns2:Id>S</ns2:Id><ns2:Ntry><ns2:Amt Ccy=\"EUR\">x</ns2:Amt></ns2:Ntry></ns2:Stmt></ns2:BkToCstmrStmt>"
      "</ns2:Document>";
  const auto out = parse(doc);
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("invalid amount 'x'"));
  const std::size_t at = doc.find("<ns2:Amt");
  EXPECT_EQ(out.error().where, "t.xml:3:" + std::to_string(at - doc.rfind('\n', at)) + " (byte " +
                                   std::to_string(at) + ", Stmt[1]/Ntry[1]/Amt)");
}

TEST(CamtXml, undeclared_prefix_still_reads) {
  const auto out = parse(
      "<ns2:Document><ns2:BkToCstmrStmt><ns2:Stmt><ns2:Id>S</ns2:Id></ns2:Stmt></ns2:BkToCstmrStmt>"
      "</ns2:Document>");
  ASSERT_OK(out);
  EXPECT_EQ(out->statements.at(0).id, "S");
}

TEST(CamtXml, mismatched_end_tag_names_both_and_the_place) {
  const std::string doc = statement_doc(entry("1.00", "CRDT")) + "";
  std::string bad = doc;
  const std::size_t at = bad.find("</Stmt>");
  bad.replace(at, 7, "</Stmx>");
  const auto out = parse(bad);
  EXPECT_ERR(out, Errc::invalid_input,
             HasSubstr("malformed xml: opening and ending tag mismatch: Stmt line 5 and Stmx"));
  EXPECT_EQ(out.error().where, "t.xml:9:1 (byte " + std::to_string(at) + ", Stmt[1])");
}

TEST(CamtXml, well_formedness_errors) {
  struct Case {
    std::string doc;
    const char* message;
  };
  const std::string ok = statement_doc(entry("1.00", "CRDT"));
  std::string duplicate = ok;
  duplicate.replace(duplicate.find("Ccy=\"EUR\""), 9, "Ccy=\"EUR\" Ccy=\"EUR\"");
  std::string no_space = ok;
  no_space.replace(no_space.find("Ccy=\"EUR\""), 9, "Ccy=\"EUR\"x=\"1\"");
  const Case cases[] = {
      {duplicate, "attribute Ccy redefined"},
      {no_space, "attributes construct error"},
      {with_remittance("a &#0; b"), "invalid character reference"},
      {with_remittance("a & b"), "entity reference without a name"},
      {with_remittance("a ]]> b"), "sequence ']]>' not allowed in content"},
      {with_remittance("a \x01 b"), "invalid character value 1"},
      {with_remittance("<!-- a -- b -->"), "double hyphen within comment"},
      {ok + "<Document/>", "extra content at the end of the document"},
      {ok + "trailing", "extra content at the end of the document"},
      {"junk" + ok, "start tag expected, '<' not found"},
      {"<?xml encoding=\"UTF-8\"?><Document/>", "malformed XML declaration"},
      {"<Document><?xml version=\"1.0\"?></Document>", "XML declaration allowed only at the start"},
      {"<Document><![CDATA[x]]><BkToCstmrStmt a=\"<\"/></Document>", "unescaped '<' not allowed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.doc);
    const auto out = parse(c.doc);
    EXPECT_ERR(out, Errc::invalid_input, HasSubstr(c.message));
  }
}

TEST(CamtXml, error_stops_lenient_mode_too) {
  std::string doc = statement_doc(entry("1.00", "CRDT") + entry("2.00", "CRDT"));
  doc.replace(doc.rfind("</Ntry>"), 7, "</Ntri>");
  const auto out = parse_collect(spec("camt.053"), as_bytes(doc), {.file_name = "t.xml", .lenient = true});
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("tag mismatch"));
}

TEST(CamtXml, latin1_is_converted_and_positions_stay_in_the_file) {
  std::string doc = with_remittance("M\xFCller");
  doc.replace(doc.find("UTF-8"), 5, "ISO-8859-1");
  EXPECT_EQ(remittance_of(parse(doc)), "M\xC3\xBCller");
  // Forced by the caller: the declaration says UTF-8, the bytes are Latin-1.
  const std::string forced = with_remittance(
      "Stra\xDF"
      "e");
  const auto out =
      parse_collect(spec("camt.053"), as_bytes(forced), {.file_name = "t.xml", .encoding = "ISO-8859-1"});
  EXPECT_EQ(remittance_of(out),
            "Stra\xC3\x9F"
            "e");
  // An error after a converted character is still placed by the file's own lines.
  std::string bad = doc;
  bad.replace(bad.find("<CdtDbtInd>CRDT"), 15, "<CdtDbtInd>XXXX");
  const auto err = parse(bad);
  EXPECT_ERR(err, Errc::invalid_input, HasSubstr("invalid CdtDbtInd 'XXXX'"));
  EXPECT_EQ(err.error().line, 8u);
}

TEST(CamtXml, utf16_with_byte_order_mark) {
  const std::string ascii = with_remittance("Miete");
  std::string utf16 = "\xFF\xFE";
  for (char c : ascii) {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_EQ(remittance_of(parse(utf16)), "Miete");
}

TEST(CamtXml, invalid_utf8_is_refused_with_its_line) {
  const auto out = parse(with_remittance("ok \xE2\x82"));
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("input is not proper UTF-8"));
  EXPECT_EQ(out.error().line, 8u);
}

TEST(CamtXml, truncated_inside_a_tag) {
  const std::string doc = statement_doc(entry("1.00", "CRDT"));
  const auto out = parse(doc.substr(0, doc.find("<CdtDbtInd>") + 4));
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("the file ends inside element Ntry (truncated?)"));
}

// Element names are interned through a cache keyed by their bytes (up to 16) and a hash table
// (longer ones): names that differ in one byte, at the start, inside or at the end, at the 8 and
// 16 byte edges, must still count as different siblings.
TEST(CamtXml, sibling_names_differing_in_one_byte_are_told_apart) {
  const std::pair<std::string, std::string> pairs[] = {
      {"A", "B"},
      {"Ab", "Ac"},
      {"Abcdefg", "Abcdefh"},
      {"Abcdefgh", "Abcdefgi"},
      {"Abcdefgh", "Abcdefghi"},
      {"AbcdefghiX", "AbcdefghiY"},
      {"AbcXefghijklmnop", "AbcYefghijklmnop"},
      {"AbcdefghijklmnoP", "AbcdefghijklmnoQ"},
      {"AbcdefghijklmnopQ", "AbcdefghijklmnopR"},
      {"AbcdefghijXlmnopqrstuvw", "AbcdefghijYlmnopqrstuvw"},
  };
  for (const auto& [a, b] : pairs) {
    SCOPED_TRACE(a + " / " + b);
    // a, b, a again: the second a is a[2]; an error inside it shows that in the locator.
    const std::string doc = statement_doc(entry(
        "1.00", "CRDT", "<" + a + "/><" + b + "><" + b + "/></" + b + "><" + a + "><x></y></" + a + ">"));
    const auto out = parse(doc);
    EXPECT_ERR(out, Errc::invalid_input, HasSubstr("opening and ending tag mismatch: x line"));
    EXPECT_THAT(out.error().where, HasSubstr(", Stmt[1]/Ntry[1]/" + a + "[2]/x)"));
  }
}

}  // namespace
}  // namespace bankrec::formats
