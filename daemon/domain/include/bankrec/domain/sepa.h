#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bankrec::domain {

/// The SEPA keywords German banks write into purpose text (DFÜ-Abkommen, Anlage 3), split out.
struct SepaPurpose {
  std::optional<std::string> eref;  ///< EREF+ end-to-end reference
  std::optional<std::string> kref;  ///< KREF+ customer reference
  std::optional<std::string> mref;  ///< MREF+ mandate reference
  std::optional<std::string> cred;  ///< CRED+ creditor identifier
  std::optional<std::string> debt;  ///< DEBT+ originator identifier
  std::optional<std::string> svwz;  ///< SVWZ+ remittance (Verwendungszweck)
  std::optional<std::string> abwa;  ///< ABWA+ ultimate debtor (abweichender Auftraggeber)
  std::optional<std::string> abwe;  ///< ABWE+ ultimate creditor (abweichender Empfänger)
  std::optional<std::string> iban;  ///< IBAN+ counterparty IBAN
  std::optional<std::string> bic;   ///< BIC+ counterparty BIC
  std::optional<std::string> coam;  ///< COAM+ compensation amount
  std::optional<std::string> oamt;  ///< OAMT+ original amount
  std::optional<std::string> sqtp;  ///< SQTP+ sequence type
  /// Text before the first keyword (some banks put free text there).
  std::optional<std::string> leading_text;

  bool has_keywords() const {
    return eref || kref || mref || cred || debt || svwz || abwa || abwe || iban || bic || coam || oamt || sqtp;
  }
};

/// Splits purpose text into its SEPA keywords. `text` is the purpose as joined from the bank's
/// lines (MT940 ?20..?29 joined without inserted spaces, so a keyword the bank split across two
/// lines, "SV" + "WZ+", is whole again). A keyword counts only at the start or after a space or a
/// non-alphanumeric character (so "...XEREF+" inside a word is not one). Values are trimmed; empty
/// values are absent. "NOTPROVIDED" is kept as it is (callers decide). A keyword that appears
/// twice keeps both values, joined by a space. Text without any keyword is all `leading_text`.
SepaPurpose parse_sepa_purpose(std::string_view text);

}  // namespace bankrec::domain
