#include "day_generator.h"

#include <algorithm>
#include <map>
#include <set>

#include "gen_support.h"

namespace bankrec::reconcile::bench {
namespace {

using Pieces = std::vector<std::string>;

class Generator {
 public:
  explicit Generator(const DayOptions& o) : o_(o), rng_(o.seed) {
    day_.date = *domain::Date::make(2026, 3, 16);
    day_.account.iban = make_iban("37040044", 532013000);
    day_.account.bic = "COBADEFFXXX";
    day_.account.currency = "EUR";
    day_.account.owner = "Muster Handel GmbH";
  }

  Day run() {
    make_partners(std::max<std::size_t>(50, o_.items / 4));
    while (day_.lines.size() < o_.lines) add_case();
    day_.lines.resize(o_.lines);
    while (day_.items.size() < o_.items) background_item();
    mark_transpositions_that_exist();
    // Items in a fixed pseudo-random order, so their position says nothing about the answer.
    for (std::size_t i = day_.items.size(); i > 1; --i) std::swap(day_.items[i - 1], day_.items[rng_.below(i)]);
    return std::move(day_);
  }

 private:
  /// A transposed citation that is itself an open item's number is no slip but a real conflict.
  void mark_transpositions_that_exist() {
    std::set<std::string> numbers;
    for (const auto& item : day_.items) numbers.insert(item.document_number);
    for (const auto& [line, cited] : transposed_) {
      if (line >= day_.lines.size() || !numbers.contains(cited)) continue;
      day_.lines[line].truth.certain = false;
      day_.lines[line].truth.no_auto = true;
      day_.lines[line].truth.case_name += " (cited number fits another item)";
    }
  }

  // ---- partners and items ------------------------------------------------------------------
  void make_partners(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      GenPartner p;
      p.id = std::to_string(100000 + i * 7 + rng_.below(7));
      p.name = random_party_name(rng_);
      p.iban = make_iban(std::to_string(10010010 + rng_.below(89999999)), 1000000000ULL + rng_.below(8999999999ULL));
      p.iban_known = rng_.chance(850);
      ++name_count_[p.name];
      partners_.push_back(std::move(p));
    }
  }
  std::size_t any_partner() { return rng_.below(partners_.size()); }
  std::size_t unique_name_partner() {
    for (int k = 0; k < 50; ++k) {
      const auto p = any_partner();
      if (name_count_[partners_[p].name] == 1) return p;
    }
    return any_partner();
  }
  std::int64_t random_amount() {
    const std::int64_t base = 990 + static_cast<std::int64_t>(rng_.below(60000));
    return rng_.chance(300) ? base + static_cast<std::int64_t>(rng_.below(400000)) : base;
  }

  std::string next_number(char series) {
    if (series == 'W') return "WS-" + std::to_string(100000 + ws_seq_++);
    if (series == 'G') return "GS-2026-" + pad(++gs_seq_, 6);
    return "RE-2026-" + pad(++re_seq_, 6);
  }

  std::size_t add_item(std::size_t partner, std::string number, std::int64_t amount,
                       domain::OpenItemKind kind = domain::OpenItemKind::invoice) {
    domain::OpenItem item;
    item.id = "OI-" + std::to_string(1000000 + day_.items.size());
    item.kind = kind;
    const GenPartner& p = partners_[partner];
    item.partner_id = p.id;
    item.partner_name = p.name;
    if (p.iban_known) item.partner_ibans.push_back(p.iban);
    item.document_number = std::move(number);
    item.amount = domain::Money(amount, domain::kEur);
    item.issue_date = day_.date.add_days(-static_cast<std::int64_t>(5 + rng_.below(40)));
    item.due_date = item.issue_date->add_days(14);
    item_partner_.push_back(partner);
    day_.items.push_back(std::move(item));
    return day_.items.size() - 1;
  }
  std::size_t invoice(std::size_t partner, std::int64_t amount = 0) {
    const char series = rng_.chance(700) ? 'R' : 'W';
    return add_item(partner, next_number(series), amount ? amount : random_amount());
  }
  void background_item() {
    const auto i = invoice(any_partner());
    if (rng_.chance(150)) day_.items[i].reference = make_creditor_reference(std::to_string(700000000 + day_.items.size()));
  }
  const std::string& id(std::size_t item) const { return day_.items[item].id; }
  const std::string& number(std::size_t item) const { return day_.items[item].document_number; }
  std::int64_t amount(std::size_t item) const { return day_.items[item].amount.minor(); }

  // ---- lines -------------------------------------------------------------------------------
  GeneratedLine& line(std::string case_name, std::int64_t amount, std::size_t payer, Pieces purpose) {
    GeneratedLine l;
    l.truth.case_name = std::move(case_name);
    l.truth.certain = true;
    l.entry.booking_date = day_.date;
    l.entry.value_date = day_.date;
    l.entry.amount = domain::Money(amount, domain::kEur);
    l.entry.bank_reference = "2026031600" + std::to_string(100000 + day_.lines.size());
    l.entry.transaction_code.iso = amount > 0 ? "PMNT-RCDT-ESCT" : "PMNT-ICDT-ESCT";
    l.entry.transaction_code.gvc = amount > 0 ? "166" : "116";
    l.entry.posting_text = amount > 0 ? "SEPA-GUTSCHRIFT" : "SEPA-UEBERWEISUNG";
    if (payer != kNobody) {
      l.entry.counterparty.name = bank_spelling(partners_[payer].name, rng_, 0);
      l.entry.counterparty.iban = partners_[payer].iban;
    }
    l.purpose_pieces = std::move(purpose);
    day_.lines.push_back(std::move(l));
    return day_.lines.back();
  }
  void expect(GeneratedLine& l, std::vector<std::size_t> items) {
    std::vector<std::string> ids;
    for (auto i : items) ids.push_back(id(i));
    std::sort(ids.begin(), ids.end());
    l.truth.item_sets.push_back(std::move(ids));
  }
  Pieces cite(const std::string& num, std::size_t partner) {
    switch (rng_.below(6)) {
      case 0: return {num};
      case 1: return {"Rechnung " + num};
      case 2: return {"Rechnung " + num + " vom " + dmy(day_.date.add_days(-20))};
      case 3: return {num + " Kd-Nr. " + partners_[partner].id};
      case 4: return {"Ihre Rechnung Nr. " + num + " Danke"};
      default: return {"RG " + num};
    }
  }
  /// A payer whose IBAN the ERP may know; certain cases use the partner's own account.
  void pay_exact() {
    const auto p = any_partner();
    const auto i = invoice(p);
    expect(line("exact", amount(i), p, cite(number(i), p)), {i});
  }
  void pay_mangled() {
    const auto p = any_partner();
    auto i = invoice(p);
    if (number(i)[0] != 'R') {  // the mangling styles below are those of the RE series
      day_.items[i].document_number = next_number('R');
    }
    const std::string seq = number(i).substr(8);
    const auto stripped = seq.substr(seq.find_first_not_of('0'));
    Pieces text;
    std::string style;
    switch (rng_.below(7)) {
      case 0: text = {"RE2026" + seq}; style = "together"; break;
      case 1: text = {"rechnung re-2026-" + seq}; style = "lower case"; break;
      case 2: text = {"RE 2026 " + stripped}; style = "zeros dropped"; break;
      case 3:
        text = {"Re.-Nr. " + stripped + " Danke"};
        style = "no year";
        transposed_.emplace_back(day_.lines.size(), "RE-2025-" + seq);
        break;
      case 4: text = {"Zahlung RE-2026-" + seq.substr(0, 3), seq.substr(3) + " Danke"}; style = "split"; break;
      case 5: text = {"RE-2O26-" + seq}; style = "ocr slip"; break;
      default: {
        // The first non-zero digit swapped with the zero before it: a slip that is no other number of the day.
        std::string swapped = seq;
        const std::size_t k = swapped.find_first_not_of('0');
        if (k == 0 || k == std::string::npos) {
          text = {"RE-2026-" + seq};
          style = "plain";
          break;
        }
        std::swap(swapped[k - 1], swapped[k]);
        text = {"RE-2026-" + swapped};
        style = "transposed";
        transposed_.emplace_back(day_.lines.size(), "RE-2026-" + swapped);
      }
    }
    expect(line("mangled:" + style, amount(i), p, text), {i});
  }
  void pay_rf() {
    const auto p = any_partner();
    const auto i = invoice(p);
    day_.items[i].reference = make_creditor_reference(std::to_string(500000000 + i));
    auto& l = line("rf reference", amount(i), p, {});
    l.entry.structured_reference = day_.items[i].reference;
    expect(l, {i});
  }
  void pay_e2e() {
    const auto p = any_partner();
    const auto i = invoice(p);
    auto& l = line("end-to-end id", amount(i), p, {rng_.chance(500) ? "Zahlung" : "Online-Bestellung"});
    l.entry.end_to_end_id = "E2E-" + std::to_string(rng_.below(100)) + "-" + number(i);
    expect(l, {i});
  }
  void pay_by_iban() {
    auto p = any_partner();
    while (!partners_[p].iban_known) p = any_partner();
    const auto i = invoice(p);
    expect(line("partner by iban", amount(i), p, {rng_.chance(500) ? "Zahlung" : "Danke fuer die Lieferung"}), {i});
  }
  void pay_by_name() {
    const auto p = unique_name_partner();
    const auto i = invoice(p);
    const int style = static_cast<int>(rng_.below(3));
    auto& l = line(std::string("partner by name:") + (style == 0 ? "bank spelling" : style == 1 ? "transliterated" : "typo"),
                   amount(i), kNobody, {"Ueberweisung"});
    l.entry.counterparty.name = bank_spelling(partners_[p].name, rng_, style);
    l.entry.counterparty.iban = make_iban("50010517", 5000000000ULL + rng_.below(999999999));
    expect(l, {i});
  }
  void pay_grouped(bool listed) {
    auto p = any_partner();
    while (!listed && !partners_[p].iban_known) p = any_partner();
    std::vector<std::size_t> items;
    std::int64_t total = 0;
    std::string text;
    for (std::size_t k = 0, n = 2 + rng_.below(3); k < n; ++k) {
      items.push_back(invoice(p));
      total += amount(items.back());
      text += (text.empty() ? "" : " ") + number(items.back());
    }
    auto& l = line(listed ? "grouped listed" : "grouped unlisted", total, p,
                   {listed ? text : "Sammelzahlung " + std::to_string(items.size()) + " Rechnungen"});
    expect(l, items);
  }
  void pay_skonto() {
    const auto p = any_partner();
    const auto i = invoice(p);
    day_.items[i].discount_basis_points = 200;
    day_.items[i].discount_until = day_.date.add_days(2);
    const std::int64_t discount = (amount(i) * 200 + 5000) / 10000;
    const bool cited = rng_.chance(700) || !partners_[p].iban_known;
    expect(line(cited ? "skonto" : "skonto without number", amount(i) - discount, p,
                cited ? cite(number(i), p) : Pieces{"Zahlung abzgl. 2% Skonto"}),
           {i});
  }
  void pay_partial() {
    const auto p = any_partner();
    const auto i = invoice(p, 20000 + static_cast<std::int64_t>(rng_.below(300000)));
    expect(line("partial", amount(i) / 2 + static_cast<std::int64_t>(rng_.below(100)) * 100, p,
                {"Teilzahlung " + number(i)}),
           {i});
  }
  void pay_fees() {
    const auto p = any_partner();
    const auto i = invoice(p, 50000 + static_cast<std::int64_t>(rng_.below(400000)));
    auto& l = line("fees deducted", amount(i) - 500 - static_cast<std::int64_t>(rng_.below(900)), p,
                   {"INVOICE " + number(i) + " /OUR CHARGES DEDUCTED"});
    l.entry.counterparty.iban = make_iban("20050550", 7000000000ULL + rng_.below(999999999));
    expect(l, {i});
  }
  void pay_not_fitting() {
    const auto p = any_partner();
    const auto i = invoice(p);
    auto& l = line("amount not fitting", amount(i) + 2000 + static_cast<std::int64_t>(rng_.below(50000)), p, cite(number(i), p));
    l.truth.certain = false;
    l.truth.no_auto = true;
    expect(l, {i});
  }
  void pay_ambiguous() {
    auto p = any_partner();
    while (!partners_[p].iban_known) p = any_partner();
    const auto a = invoice(p);
    const auto b = invoice(p, amount(a));
    auto& l = line("ambiguous same amount", amount(a), p, {"Zahlung"});
    l.truth.certain = false;
    l.truth.no_auto = true;
    expect(l, {a});
    expect(l, {b});
  }
  void pay_third_party() {
    const auto p = any_partner();
    const auto i = invoice(p);
    auto& l = line("third party", amount(i), kNobody, {"fuer " + partners_[p].name + " " + number(i)});
    l.entry.counterparty.name = random_party_name(rng_);
    l.entry.counterparty.iban = make_iban("76026000", 3000000000ULL + rng_.below(999999999));
    expect(l, {i});
  }
  void pay_net_of_credit_note() {
    const auto p = any_partner();
    const auto inv = add_item(p, next_number('R'), 50000 + static_cast<std::int64_t>(rng_.below(200000)));
    const auto gs = add_item(p, next_number('G'), 2000 + static_cast<std::int64_t>(rng_.below(20000)),
                             domain::OpenItemKind::credit_note);
    // The credit note's digits are those of another customer's open invoice: RE-2026-<same>.
    const std::string digits = number(gs).substr(8);
    if (std::stoi(digits) > re_seq_) add_item(any_partner(), "RE-2026-" + digits, amount(gs));
    expect(line("net of credit note", amount(inv) - amount(gs), p, {number(inv) + " abzgl. Gutschrift " + number(gs)}),
           {inv, gs});
  }
  void pay_twice() {
    const auto p = any_partner();
    const auto i = invoice(p);
    expect(line("double payment:first", amount(i), p, cite(number(i), p)), {i});
    auto& second = line("double payment:second", amount(i), p, cite(number(i), p));
    second.entry.booking_date = day_.date.add_days(1);
    second.entry.value_date = second.entry.booking_date;
    second.truth.certain = false;
    second.truth.no_auto = true;
  }
  void pay_last_year() {
    const auto p = any_partner();
    const auto now = invoice(any_partner());
    if (number(now)[0] != 'R') day_.items[now].document_number = next_number('R');
    const auto old = add_item(p, "RE-2025-" + number(now).substr(8), random_amount());
    day_.items[old].issue_date = day_.date.add_days(-120);
    day_.items[old].due_date = day_.date.add_days(-106);
    expect(line("last year's number", amount(old), p, cite(number(old), p)), {old});
  }
  void pay_customer_number() {
    const auto p = any_partner();
    const auto i = invoice(p);
    auto& l = line("customer number only", amount(i), kNobody, {"Kundennr. " + partners_[p].id + " Zahlung"});
    l.entry.counterparty.name = random_party_name(rng_);
    l.entry.counterparty.iban = make_iban("43060967", 4000000000ULL + rng_.below(999999999));
    expect(l, {i});
  }
  void pay_psp() {
    std::vector<std::size_t> items;
    std::int64_t total = 0;
    Pieces text{"PAYOUT " + iso_date(day_.date.add_days(-1))};
    for (std::size_t k = 0, n = 2 + rng_.below(4); k < n; ++k) {
      items.push_back(invoice(any_partner()));
      total += amount(items.back());
      text.push_back(number(items.back()));
    }
    const std::int64_t fee = total * 19 / 1000 + 35 * static_cast<std::int64_t>(items.size());
    auto& l = line("psp payout", total - fee, kNobody, text);
    l.entry.counterparty.name = "PayPal (Europe) S.a r.l. et Cie, S.C.A.";
    l.entry.counterparty.iban = "LU89751000135104200E";
    expect(l, items);
  }
  void pay_short_prefix() {
    const auto a = any_partner();
    const auto b = any_partner();
    const auto k = 1000 + short_seq_++ % 9000;
    add_item(a, "WS-" + std::to_string(k), random_amount());
    const auto longer = add_item(b, "WS-" + std::to_string(k * 10 + 1 + rng_.below(9)), random_amount());
    expect(line("short number prefix of longer", amount(longer), b, {"Bestellung " + number(longer)}), {longer});
  }
  void noise() {
    const int kind = static_cast<int>(rng_.below(6));
    const auto p = any_partner();
    GeneratedLine* l = nullptr;
    switch (kind) {
      case 0:
        l = &line("noise:salary", -180000 - static_cast<std::int64_t>(rng_.below(250000)), kNobody, {"Gehalt 03/2026"});
        l->entry.counterparty.name = random_person_name(rng_);
        l->entry.transaction_code = {"PMNT-ICDT-SALA", "NSTO+153", "NSTO", "153"};
        l->truth.account = "1740";
        break;
      case 1:
        l = &line("noise:rent", -450000, kNobody, {"Miete Filiale Koeln 03/2026"});
        l->entry.counterparty.name = "Rhein Immobilien Verwaltung GmbH";
        l->truth.no_auto = true;
        break;
      case 2:
        l = &line("noise:bank fees", -500 - static_cast<std::int64_t>(rng_.below(8000)), kNobody, {"Entgeltabschluss 02/2026"});
        l->entry.transaction_code = {"ACMT-MDOP-CHRG", "NCHG+805", "NCHG", "805"};
        l->entry.posting_text = "ENTGELTABSCHLUSS";
        l->truth.account = "4970";
        break;
      case 3:
        l = &line("noise:card acquirer", 100000 + static_cast<std::int64_t>(rng_.below(2000000)), kNobody,
                  {"Haendlerabrechnung " + dmy(day_.date.add_days(-1)) + " Terminal " + std::to_string(50000000 + rng_.below(9999999))});
        l->entry.counterparty.name = "PAYONE GmbH";
        l->truth.account = "1360";
        break;
      case 4:
        l = &line("noise:refund", -2000 - static_cast<std::int64_t>(rng_.below(30000)), p,
                  {"Erstattung Retoure Bestellung WS-" + std::to_string(900000 + rng_.below(99999))});
        l->truth.no_auto = true;
        break;
      default:
        l = &line("noise:tax", -1000000 - static_cast<std::int64_t>(rng_.below(5000000)), kNobody,
                  {"UStVA 02/2026 StNr 214/5678/9012"});
        l->entry.counterparty.name = "Finanzamt Koeln-Altstadt";
        l->truth.account = "1780";
    }
    if (l->truth.no_auto) l->truth.certain = false;
  }

  void add_case() {
    static constexpr std::pair<int, int> kWeights[] = {
        {0, 300}, {1, 100}, {2, 50}, {3, 50}, {4, 80}, {5, 50}, {6, 50}, {7, 30}, {8, 50}, {9, 30},
        {10, 30}, {11, 20}, {12, 20}, {13, 20}, {14, 20}, {15, 10}, {16, 10}, {17, 20}, {18, 20}, {19, 15}, {20, 80}};
    int total = 0;
    for (auto [c, w] : kWeights) total += w;
    int pick = static_cast<int>(rng_.below(static_cast<std::size_t>(total)));
    int c = 0;
    for (auto [k, w] : kWeights) {
      if (pick < w) { c = k; break; }
      pick -= w;
    }
    switch (c) {
      case 0: return pay_exact();
      case 1: return pay_mangled();
      case 2: return pay_rf();
      case 3: return pay_e2e();
      case 4: return pay_by_iban();
      case 5: return pay_by_name();
      case 6: return pay_grouped(true);
      case 7: return pay_grouped(false);
      case 8: return pay_skonto();
      case 9: return pay_partial();
      case 10: return pay_fees();
      case 11: return pay_not_fitting();
      case 12: return pay_ambiguous();
      case 13: return pay_third_party();
      case 14: return pay_net_of_credit_note();
      case 15: return pay_twice();
      case 16: return pay_last_year();
      case 17: return pay_customer_number();
      case 18: return pay_psp();
      case 19: return pay_short_prefix();
      default: return noise();
    }
  }

  static constexpr std::size_t kNobody = static_cast<std::size_t>(-1);
  DayOptions o_;
  Rng rng_;
  Day day_;
  std::vector<GenPartner> partners_;
  std::vector<std::size_t> item_partner_;
  std::map<std::string, int> name_count_;
  int re_seq_ = 0;
  int gs_seq_ = 0;
  int ws_seq_ = 0;
  int short_seq_ = 0;
  std::vector<std::pair<std::size_t, std::string>> transposed_;
};

}  // namespace

Day generate_day(const DayOptions& options) { return Generator(options).run(); }

domain::Statement to_statement(const Day& day) {
  domain::Statement s;
  s.id = "STMT-" + day.date.iso();
  s.account = day.account;
  s.from_date = day.date;
  s.to_date = day.date;
  for (const auto& l : day.lines) {
    domain::Entry e = l.entry;
    std::string text;
    for (const auto& piece : l.purpose_pieces) text += (text.empty() ? "" : " ") + piece;
    if (!text.empty()) e.remittance = text;
    s.entries.push_back(std::move(e));
  }
  return s;
}

}  // namespace bankrec::reconcile::bench
