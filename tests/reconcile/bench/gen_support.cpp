#include "gen_support.h"

#include <iterator>
#include <vector>

namespace bankrec::reconcile::bench {
namespace {

const char* const kSurnames[] = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert",
    "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz",
    "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin",
    "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich",
    "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer"};
const char* const kFirstNames[] = {"Anna",   "Jürgen", "Sören",  "Käthe",   "Hans",   "Petra", "Thomas", "Jörg",
                                   "Ute",    "Björn",  "Sabine", "Michael", "Andrea", "Stefan", "Claudia", "Uwe",
                                   "Monika", "Frank",  "Birgit", "Dieter",  "Renée",  "André", "Zoë",    "Özlem",
                                   "Lena",   "Lukas",  "Marie",  "Felix",   "Emma",   "Jonas", "Mia",    "Paul"};
const char* const kTrades[] = {"Handels", "Bau",       "Elektro",    "Moden",    "Feinkost", "Sanitär",  "Möbel",
                               "Gartenbau", "Bäckerei", "Druckerei", "Logistik", "Bürobedarf", "Getränke", "Sport",
                               "Optik",   "Blumen",    "Autohaus",   "Schreinerei", "Apotheke", "Reisebüro"};
const char* const kForms[] = {"GmbH", "GmbH & Co. KG", "KG", "e.K.", "AG", "OHG", "UG (haftungsbeschränkt)", "GbR"};
const char* const kCities[] = {"Köln", "Bonn", "Aachen", "Düsseldorf", "Essen", "Münster", "Trier", "Mainz"};

template <class T, std::size_t N>
const char* pick(Rng& rng, T (&table)[N]) {
  return table[rng.below(N)];
}

int mod97(const std::string& digits) {
  int r = 0;
  for (char c : digits) r = (r * 10 + (c - '0')) % 97;
  return r;
}

/// Letters to numbers as ISO 13616 / 11649 do (A=10 .. Z=35).
std::string expand(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      out += std::to_string(c - 'A' + 10);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string fold_umlauts(const std::string& s, bool long_form) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"Ä", "Ae"}, {"Ö", "Oe"}, {"Ü", "Ue"}, {"ß", "ss"}, {"é", "e"}, {"ë", "e"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool done = false;
    for (const auto& [from, to] : kMap) {
      const std::string f(from);
      if (s.compare(i, f.size(), f) == 0) {
        out += long_form || f == "ß" ? to : std::string(1, to[0]);
        i += f.size();
        done = true;
        break;
      }
    }
    if (!done) out.push_back(s[i++]);
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

}  // namespace

std::string pad(int value, int width) {
  std::string s = std::to_string(value);
  return std::string(s.size() < static_cast<std::size_t>(width) ? width - s.size() : 0, '0') + s;
}

std::string make_iban(const std::string& bank_code, std::uint64_t account) {
  const std::string bban = bank_code + pad(static_cast<int>(account % 100000), 5) + pad(static_cast<int>(account / 100000 % 100000), 5);
  const int check = 98 - mod97(bban + expand("DE") + "00");
  return "DE" + pad(check, 2) + bban;
}

std::string make_creditor_reference(const std::string& reference) {
  const int check = 98 - mod97(expand(reference + "RF") + "00");
  return "RF" + pad(check, 2) + reference;
}

std::string random_person_name(Rng& rng) { return std::string(pick(rng, kFirstNames)) + " " + pick(rng, kSurnames); }

std::string random_party_name(Rng& rng) {
  if (rng.chance(400)) return random_person_name(rng);
  std::string name = std::string(pick(rng, kSurnames)) + " ";
  if (rng.chance(300)) name += std::string(pick(rng, kSurnames)) + " ";
  name += std::string(pick(rng, kTrades)) + " " + pick(rng, kForms);
  if (rng.chance(300)) name += std::string(" ") + pick(rng, kCities);
  return name;
}

std::string bank_spelling(const std::string& name, Rng& rng, int style) {
  std::string out = style == 1 ? fold_umlauts(name, /*long_form=*/false) : fold_umlauts(name, /*long_form=*/true);
  if (style == 2) {
    // One typo inside the first word longer than four letters: a letter dropped or doubled.
    const auto space = out.find(' ');
    const std::size_t word_end = space == std::string::npos ? out.size() : space;
    if (word_end > 4) {
      const std::size_t k = 1 + rng.below(word_end - 2);
      if (rng.chance(500)) {
        out.erase(k, 1);
      } else {
        out.insert(k, 1, out[k]);
      }
    }
  }
  out = upper(out);
  if (out.size() > 27) out.resize(27);
  return out;
}

std::string dmy(const domain::Date& d) { return pad(d.day, 2) + "." + pad(d.month, 2) + "." + std::to_string(d.year); }
std::string iso_date(const domain::Date& d) { return d.iso(); }

}  // namespace bankrec::reconcile::bench
