#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bankrec/domain/statement.h"
#include "mt940/fields.h"

// Field :86: ("Information to Account Owner") in its two forms.
//
// German structured form (DFÜ-Abkommen Anlage 3, MT940 field 86): "GVC" (3 digits) then subfields
// "?NN" (some banks, e.g. Triodos, use '>' instead of '?'):
//   ?00 posting text → posting_text          ?10 prima nota → not kept (bank-internal batch number)
//   ?20..?29, ?60..?63 purpose → remittance and SEPA keywords
//   ?30 BIC (or bank code) / ?31 IBAN (or account) / ?32..?33 name → counterparty
//   ?34 text key extension → third part of transaction_code.proprietary ("NTRF+166+997")
//   any other subfield (?35 of some Volksbanken, ...) → appended to the remittance, never dropped.
// The physical line breaks inside :86: are transport wrapping (65 characters) and are removed without a
// space; the subfield is the unit. Purpose subfields are joined by this rule:
//   * after a subfield of 27 or more characters (the field width, so the bank split the text there) the
//     next one follows directly ("Rechn" + "ung" → "Rechnung", "SV" + "WZ+" → "SVWZ+");
//   * after a shorter subfield a single space is put in (unless there is one already);
//   * a subfield that starts with a SEPA keyword ("EREF+", "SVWZ+", ...) always gets a space before it,
//     so that the keyword is recognised even after a full-width subfield.
// ?32 and ?33 are joined by the same width rule. SEPA keywords are then split by
// domain::parse_sepa_purpose: EREF → end_to_end_id ("NOTPROVIDED" counts as none), MREF → mandate_id,
// CRED → creditor_id, KREF → customer_reference when :61: has none or NONREF, DEBT → counterparty.id,
// IBAN/BIC → counterparty when ?30/?31 did not name one, OAMT → original_amount; the remittance is the
// text before the first keyword, then SVWZ, then ultimate parties kept with their keyword ("ABWA+Name",
// "ABWE+Name": the model has no ultimate-party field) and COAM. Without keywords the whole purpose is
// the remittance.
//
// Any other :86: (Dutch "/TRTP/.../NAME/.../REMI/...", free text) is kept whole as the remittance.
// Slash-coded text ("/EREF/", "/NAME/"...) is wrapped by the banks wherever the line is full, so its
// lines are joined without anything in between. Free text lines are joined with a space, except after
// a line of exactly 65 characters (a word split at the field width) where the next line follows directly. A
// leading "999" (the DK's GVC for unstructured text) goes to transaction_code.gvc.
namespace bankrec::formats::mt940 {

/// Buffers reused across entries so that :86: parsing does not allocate per line.
struct PurposeScratch {
  std::string joined;
  std::string converted;
  std::string purpose;
  std::string name;
  std::vector<std::string_view> unknown;
};

/// Applies the lines of an entry's :86: field(s) (in file order) to `entry`; `entry.transaction_code.swift`
/// and the amount's currency must be set already.
void apply_purpose(const std::vector<std::string_view>& lines, const Context& ctx, domain::Entry& entry,
                   PurposeScratch& scratch);

}  // namespace bankrec::formats::mt940
