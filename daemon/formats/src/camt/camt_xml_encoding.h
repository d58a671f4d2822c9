#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "camt/camt_xml_lex.h"

// Character sets for the CAMT XML cursor: the tokenizer reads UTF-8 only, so a document in any
// other encoding (declared, detected from a byte-order mark or the first bytes, or forced by the
// caller) is converted to UTF-8 first with libxml2's converters (built-in ones and iconv).
namespace bankrec::formats::camt {

/// True for the names read without conversion: UTF-8 and its subset US-ASCII.
bool is_utf8_name(std::string_view name);

/// True when libxml2 knows a converter for `name`.
bool is_known_encoding(const std::string& name);

/// The charset of `input` ("" = UTF-8) when the caller forces none: byte-order mark, first bytes,
/// else the XML declaration. `skip` is set to the length of a byte-order mark to drop.
std::string detect_encoding(std::string_view input, std::size_t& skip);

/// The byte-order mark length for a forced charset (UTF-8 or UTF-16 marks are dropped).
std::size_t bom_length(std::string_view input, std::string_view forced);

/// Converts `input` from `charset` into `out`. False when it fails; `failed_at` is then the byte of
/// `input` where the conversion stopped.
bool convert_to_utf8(std::string_view input, const std::string& charset, std::string& out,
                     std::size_t& failed_at);

/// True when doc[i] starts an XML declaration ("<?xml" and a blank).
bool starts_declaration(std::string_view doc, std::size_t i);

/// The XML declaration at doc[i]: its end (past "?>") and the encoding it names ("" when none);
/// lex::kNone and a fault when it is malformed.
std::size_t parse_declaration(std::string_view doc, std::size_t i, std::string_view& encoding,
                              lex::Fault& fault);

}  // namespace bankrec::formats::camt
