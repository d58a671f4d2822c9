#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"

namespace bankrec::domain {

/// Registered IBAN length of a country (SWIFT IBAN registry), or nullopt when the country has no IBAN.
std::optional<int> iban_length(std::string_view country_code);

/// A validated IBAN in electronic form ("DE89370400440532013000").
class Iban {
 public:
  /// Accepts the electronic and the print form ("DE89 3704 0044 0532 0130 00"), any case, and
  /// checks country, registered length, characters and the ISO 7064 mod-97 check digits.
  static Result<Iban> parse(std::string_view text);
  /// Builds an IBAN from country and BBAN, computing the check digits.
  static Result<Iban> from_bban(std::string_view country_code, std::string_view bban);

  const std::string& electronic() const { return value_; }
  /// Groups of four separated by spaces.
  std::string print() const;
  std::string_view country() const { return std::string_view(value_).substr(0, 2); }
  std::string_view bban() const { return std::string_view(value_).substr(4); }

  friend bool operator==(const Iban&, const Iban&) = default;

 private:
  explicit Iban(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

/// True when `text` is a valid IBAN in electronic or print form.
bool is_valid_iban(std::string_view text);

/// A BIC (ISO 9362): 4 letters bank, 2 letters country, 2 alphanumeric location, optional 3 branch.
class Bic {
 public:
  static Result<Bic> parse(std::string_view text);  ///< upper-cases; 8 or 11 characters
  const std::string& str() const { return value_; }
  /// The 11-character form ("XXX" branch added to an 8-character BIC).
  std::string bic11() const { return value_.size() == 8 ? value_ + "XXX" : value_; }
  friend bool operator==(const Bic&, const Bic&) = default;

 private:
  explicit Bic(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

bool is_valid_bic(std::string_view text);

}  // namespace bankrec::domain
