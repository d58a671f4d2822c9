#pragma once

#include <cstdint>
#include <string>

#include "bankrec/domain/date.h"

/// Small deterministic helpers for the day generator: a portable PRNG, names, IBANs, RF references.
namespace bankrec::reconcile::bench {

/// splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(int per_mille) { return below(1000) < static_cast<std::uint64_t>(per_mille); }

 private:
  std::uint64_t state_;
};

struct GenPartner {
  std::string id;
  std::string name;
  std::string iban;
  bool iban_known = false;  ///< the ERP has this IBAN in partner_ibans
};

std::string pad(int value, int width);
/// A German IBAN with correct check digits from bank code and account number.
std::string make_iban(const std::string& bank_code, std::uint64_t account);
/// ISO 11649 reference for a creditor's own reference (digits).
std::string make_creditor_reference(const std::string& reference);
std::string random_party_name(Rng& rng);
std::string random_person_name(Rng& rng);
/// How a bank shows the name: 0 upper case with ae/oe/ue/ss (as most German banks), 1 umlauts
/// dropped to a/o/u (as foreign banks), 2 a typo in one word. Cut to 27 characters like MT940 ?32.
std::string bank_spelling(const std::string& name, Rng& rng, int style);
std::string dmy(const domain::Date& d);
std::string iso_date(const domain::Date& d);

}  // namespace bankrec::reconcile::bench
