#include "sandbox/ledger.h"

#include <array>
#include <cstdio>

#include "bankrec/domain/iban.h"
#include "bankrec/domain/money.h"

namespace bankrec::app::sandbox {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Date month_end(Date day) {
  Date first_next{day.year, static_cast<std::uint8_t>(day.month == 12 ? 1 : day.month + 1), 1};
  if (day.month == 12) first_next.year += 1;
  return first_next.add_days(-1);
}

int weekday(Date day) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  const std::int64_t d = day.to_days();
  return static_cast<int>(((d % 7) + 7 + 3) % 7);
}

std::string format_amount(std::int64_t minor) { return domain::format_minor(minor, 2); }

namespace {

/// A small deterministic generator over splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t state) : state_(state) {}
  std::uint64_t next() { return mix64(state_ += 0x632be59bd9b4e019ULL); }
  /// Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& items) { return items[static_cast<std::size_t>(range(0, N - 1))]; }

 private:
  std::uint64_t state_;
};

std::uint64_t day_key(std::uint64_t seed, std::size_t account, Date day, std::uint64_t salt) {
  return mix64(mix64(seed ^ salt) ^ (static_cast<std::uint64_t>(day.to_days()) * 131 + account));
}

std::string digits(std::uint64_t value, int width) {
  std::string out(static_cast<std::size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out;
}

std::string german_iban(std::string_view blz, std::uint64_t account_number) {
  auto iban = domain::Iban::from_bban("DE", std::string(blz) + digits(account_number, 10));
  return iban ? iban->electronic() : std::string();
}

std::string uuid_from(std::uint64_t a, std::uint64_t b) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>((b >> 48) & 0xfff), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

constexpr std::array<const char*, 12> kMonths = {"Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                                                 "Juli",   "August",  "September", "Oktober", "November", "Dezember"};

std::string month_label(Date d) { return std::string(kMonths[d.month - 1u]) + " " + std::to_string(d.year); }

std::string compact(Date d) { return digits(static_cast<std::uint64_t>(d.year), 4) + digits(d.month, 2) + digits(d.day, 2); }

bool business_day(Date d) { return weekday(d) < 5; }

Date last_business_day(Date d) {
  Date e = month_end(d);
  while (!business_day(e)) e = e.add_days(-1);
  return e;
}

Date first_business_day(Date d) {
  Date s{d.year, d.month, 1};
  while (!business_day(s)) s = s.add_days(1);
  return s;
}

Date business_on_or_after(Date d) {
  while (!business_day(d)) d = d.add_days(1);
  return d;
}

/// The n-th business day before `anchor` (n >= 1).
Date business_days_before(Date anchor, int n) {
  Date d = anchor;
  while (n > 0) {
    d = d.add_days(-1);
    if (business_day(d)) --n;
  }
  return d;
}

struct Merchant {
  const char* name;
  const char* label;
  std::int64_t min_minor, max_minor;
};

constexpr std::array<Merchant, 8> kCardMerchants = {{
    {"Deutsche Bahn AG", "DB Vertrieb GmbH Frankfurt", 1990, 24900},
    {"Lufthansa AG", "LUFTHANSA 2204417733 Frankfurt", 8900, 89000},
    {"Büromarkt Böttcher AG", "BUEROMARKT BOETTCHER Koeln", 1250, 45000},
    {"Aral Tankstelle", "ARAL STATION 2811 Muenchen", 4000, 12000},
    {"Hotel Zur Börse GmbH", "HOTEL ZUR BOERSE Hamburg", 9900, 38000},
    {"Café Kränzchen", "CAFE KRAENZCHEN Duesseldorf", 850, 6500},
    {"Amazon EU S.a.r.l.", "AMAZON EU SARL Luxembourg", 999, 29999},
    {"Conrad Electronic SE", "CONRAD ELECTRONIC Hirschau", 1500, 99000},
}};

}  // namespace

Ledger::Ledger(std::uint64_t seed, Date first_day, Date anchor) : seed_(seed), first_day_(first_day), anchor_(anchor) {
  Rng rng(mix64(seed ^ 0xacc0u));
  const std::string owner = "Muster Handels GmbH";
  auto make = [&](AccountKind kind, std::string bank, std::string bank_name, std::string blz, std::string bic, std::string name,
                  std::string product, std::string type, std::int64_t opening) {
    Account a;
    a.kind = kind;
    a.resource_id = uuid_from(rng.next(), rng.next());
    a.bridge_id = 48178000 + static_cast<std::int64_t>(accounts_.size()) * 7 + rng.range(0, 6);
    if (kind != AccountKind::card) a.iban = german_iban(blz, static_cast<std::uint64_t>(rng.range(100000000, 9999999999)));
    a.bic = std::move(bic);
    a.bank = std::move(bank);
    a.bank_name = std::move(bank_name);
    a.name = std::move(name);
    a.product = std::move(product);
    a.cash_account_type = std::move(type);
    a.owner_name = owner;
    a.opening_minor = opening;
    if (kind == AccountKind::card) a.masked_pan = "523212******" + digits(static_cast<std::uint64_t>(rng.range(0, 9999)), 4);
    accounts_.push_back(std::move(a));
  };
  make(AccountKind::checking, "musterbank", "Musterbank AG", "10020030", "MUSTDEBBXXX", "Geschäftskonto", "Girokonto Business",
       "CACC", 2500000 + rng.range(0, 999999));
  make(AccountKind::savings, "musterbank", "Musterbank AG", "10020030", "MUSTDEBBXXX", "Tagesgeld Rücklage", "Tagesgeldkonto",
       "SVGS", 12000000 + rng.range(0, 999999));
  make(AccountKind::checking, "sparkasse", "Sparkasse Musterstadt", "76050199", "SPKMDE21XXX", "Filialkonto Süd",
       "Sparkassen-Geschäftsgirokonto", "CACC", 800000 + rng.range(0, 99999));
  make(AccountKind::card, "musterbank", "Musterbank AG", "10020030", "MUSTDEBBXXX", "Firmenkreditkarte", "Business Card Gold",
       "CARD", 0);

  // Customers who pay invoices; the first five are the debtors of the demo's open items.
  customers_ = {
      {"Muster Wohnen GmbH", "DE02120300000000202051", "BYLADEM1001"},
      {"Bäckerei Müller e.K.", "DE44500105175407324931", "INGDDEFFXXX"},
      {"Schäfer & Söhne KG", "DE59700202700015308201", "HYVEDEMMXXX"},
      {"Kaufhaus Nord AG", german_iban("20050550", 1234567890), "HASPDEHHXXX"},
      {"Hans Beispiel", "DE77100100100123456789", "PBNKDEFFXXX"},
      {"Jürgen Größer", german_iban("66050101", 555777), "KARSDE66XXX"},
      {"Möbelhaus Sönke Jürgens e.K.", german_iban("25050180", 88112233), "SPKHDE2HXXX"},
      {"Grünewald Gärtnerei GbR", german_iban("43060967", 4711080815), "GENODEM1GLS"},
      {"Ärztehaus Süd MVZ GmbH", german_iban("70150000", 903341), "SSKMDEMMXXX"},
      {"Weiß & Strauß Handelsgesellschaft mbH", german_iban("30050110", 1002003004), "DUSSDEDDXXX"},
      {"Bürobedarf Löwe OHG", german_iban("37050198", 2233445566), "COLSDE33XXX"},
      {"Café Kränzchen GmbH", german_iban("50050201", 200044411), "HELADEF1822"},
  };
  suppliers_ = {
      {"Stadtwerke Musterstadt GmbH", "DE07440501990000987654", "DORTDE33XXX"},
      {"Großhandel Köhler GmbH", german_iban("60050101", 7403111999), "SOLADEST600"},
      {"Spedition Bäuerle KG", german_iban("61150020", 100222333), "ESSLDE66XXX"},
      {"Finanzamt Musterstadt", german_iban("76000000", 76001555), "MARKDEF1760"},
      {"Vermietung Schröder GbR", german_iban("10050000", 190011223), "BELADEBEXXX"},
      {"Telekom Deutschland GmbH", german_iban("59010066", 27570660), "PBNKDEFF590"},
  };
}

std::vector<Txn> Ledger::card_purchases_on(std::size_t account, Date day) const {
  std::vector<Txn> out;
  Rng rng(day_key(seed_, account, day, 0xca4d));
  const int n = static_cast<int>(rng.range(0, weekday(day) < 5 ? 3 : 1));
  const Date debit = month_end(day);
  for (int i = 0; i < n; ++i) {
    const Merchant& m = rng.pick(kCardMerchants);
    Txn t;
    t.account = account;
    t.transaction_date = day;
    t.booking_date = debit;
    t.value_date = debit;
    t.amount_minor = -rng.range(m.min_minor, m.max_minor);
    t.counterparty = {m.name, "", ""};
    const std::string seq = digits(static_cast<std::uint64_t>(i), 4);
    t.id = compact(day) + std::to_string(account) + "9" + seq.substr(1);
    t.pending_id = "P" + t.id;
    t.entry_reference = t.id;
    t.bridge_id = 30000000000000 + (day.to_days() * 10 + static_cast<std::int64_t>(account)) * 10000 + 9000 + i;
    t.bridge_pending_id = t.bridge_id;  // deferred card rows keep their id; only `future` flips
    char label[160];
    std::snprintf(label, sizeof label, "CB %s %02u/%02u/%04d", m.label, day.day, day.month, day.year);
    t.bank_label = label;
    t.clean_label = m.name;
    t.purpose = label;
    t.bank_transaction_code = "PMNT-CCRD-POSD";
    t.end_to_end_id = "NOTPROVIDED";
    t.operation_type = "card";
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Txn> Ledger::card_purchases_between(std::size_t account, Date from, Date to) const {
  std::vector<Txn> out;
  if (accounts_[account].kind != AccountKind::card) return out;
  for (Date d = from; d <= to; d = d.add_days(1)) {
    auto day = card_purchases_on(account, d);
    out.insert(out.end(), day.begin(), day.end());
  }
  return out;
}

std::vector<Txn> Ledger::generate(std::size_t account, Date day) const {
  std::vector<Txn> out;
  const Account& acc = accounts_[account];
  if (acc.kind == AccountKind::card) {
    if (day == month_end(day)) return card_purchases_between(account, Date{day.year, day.month, 1}, day);
    return out;
  }
  if (!business_day(day)) return out;
  Rng rng(day_key(seed_, account, day, 0xd41));
  auto add = [&](Txn t) {
    const std::size_t seq = out.size();
    t.account = account;
    t.booking_date = day;
    if (t.value_date.year == 1970) t.value_date = day;
    t.transaction_date = day;
    t.id = compact(day) + std::to_string(account) + digits(seq, 4);
    t.pending_id = "P" + t.id;
    t.entry_reference = t.id;
    t.bridge_id = 30000000000000 + (day.to_days() * 10 + static_cast<std::int64_t>(account)) * 10000 + static_cast<std::int64_t>(seq);
    t.bridge_pending_id = t.bridge_id + 5000;
    if (t.end_to_end_id.empty()) t.end_to_end_id = "NOTPROVIDED";
    if (t.clean_label.empty()) t.clean_label = t.counterparty.name;
    if (t.bank_label.empty()) t.bank_label = t.purpose;
    out.push_back(std::move(t));
  };
  auto credit = [&](const Party& p, std::int64_t minor, std::string purpose, std::string e2e) {
    Txn t;
    t.counterparty = p;
    t.amount_minor = minor;
    t.purpose = std::move(purpose);
    t.end_to_end_id = std::move(e2e);
    t.bank_transaction_code = "PMNT-RCDT-ESCT";
    t.dk_code = "NTRF+166+9310";
    t.bank_label = "GUTSCHR. UEBERWEISUNG " + t.purpose;
    t.operation_type = "transfer";
    add(std::move(t));
  };
  auto debit = [&](const Party& p, std::int64_t minor, std::string purpose, std::string code) {
    Txn t;
    t.counterparty = p;
    t.amount_minor = -minor;
    t.purpose = std::move(purpose);
    t.purpose_code = std::move(code);
    t.end_to_end_id = "E2E-" + compact(day) + "-" + digits(rng.next() % 1000000, 6);
    t.bank_transaction_code = "PMNT-ICDT-ESCT";
    t.dk_code = "NTRF+116+9310";
    t.bank_label = "UEBERWEISUNG " + t.purpose;
    t.operation_type = "transfer";
    add(std::move(t));
  };

  if (acc.kind == AccountKind::savings) {
    if (day == last_business_day(day)) {
      Txn t;
      t.counterparty = {acc.bank_name, "", acc.bic};
      t.amount_minor = 3000 + rng.range(0, 15000);
      t.purpose = "Zinsen " + month_label(day);
      t.purpose_code = "INTR";
      t.bank_transaction_code = "ACMT-MDOP-INTR";
      t.dk_code = "NINT+805+9310";
      t.operation_type = "unknown";
      add(std::move(t));
    }
    if (weekday(day) == 0 && rng.chance(40))
      credit({acc.owner_name, accounts_[0].iban, accounts_[0].bic}, 100000 * rng.range(1, 20), "Umbuchung Rücklage " + month_label(day),
             "NOTPROVIDED");
    return out;
  }

  // The demo's payments (tests/fixtures/demo/open-items.csv) on the business days before the anchor.
  if (account == 0) {
    if (day == business_days_before(anchor_, 1)) {
      credit(customers_[0], 119000, "RE-2026-1001 Miete Ladenfläche", "RE-2026-1001");
      credit(customers_[1], 52479, "Rechnung RE-2026-1002 abzgl. 2% Skonto", "NOTPROVIDED");
      Txn t;
      t.counterparty = suppliers_[0];
      t.amount_minor = -41237;
      t.purpose = "Kd-Nr 55012 Rechnung ER-7781";
      t.end_to_end_id = "ER-7781-PAY";
      t.bank_transaction_code = "PMNT-ICDT-ESCT";
      t.dk_code = "NTRF+116+9310";
      t.operation_type = "transfer";
      add(std::move(t));
    } else if (day == business_days_before(anchor_, 2)) {
      credit(customers_[2], 51000, "RE-2026-1003 RE-2026-1004 Schäfer", "NOTPROVIDED");
      credit(customers_[3], 100000, "Teilzahlung RE-2026-1005", "KN-2026-1005-1");
    } else if (day == business_days_before(anchor_, 3)) {
      credit(customers_[4], 8990, "RF65RE20261006 Hans Beispiel", "NOTPROVIDED");
      credit(customers_[4], 8990, "RE-2026-1007", "NOTPROVIDED");
    }
  }

  // Customer payments of ordinary invoices.
  const int customers = static_cast<int>(account == 0 ? rng.range(2, 6) : rng.range(1, 3));
  for (int i = 0; i < customers; ++i) {
    const Party& p = customers_[static_cast<std::size_t>(rng.range(5, static_cast<std::int64_t>(customers_.size()) - 1))];
    const std::string invoice = "RE-" + std::to_string(day.year) + "-" + digits(static_cast<std::uint64_t>(rng.range(2000, 9999)), 4);
    const std::int64_t minor = rng.range(5000, 499999);
    std::string e2e = rng.chance(60) ? "E2E" + digits(rng.next() % 100000000, 8) : "NOTPROVIDED";
    credit(p, minor, rng.chance(50) ? "Rechnung " + invoice : invoice + " Kd-Nr K-" + digits(rng.next() % 100000, 5), std::move(e2e));
  }
  if (account == 2 && rng.chance(50)) {
    Txn t;
    t.counterparty = {"Adyen N.V.", "NL76ADYB0123456789", "ADYBNL2AXXX"};
    t.amount_minor = rng.range(50000, 400000);
    t.purpose = "Adyen payout batch " + digits(rng.next() % 10000, 4) + " settlement " + day.add_days(-1).iso();
    t.end_to_end_id = "PO-" + digits(rng.next() % 10000, 4) + "-" + compact(day);
    t.bank_transaction_code = "PMNT-RCDT-ESCT";
    t.dk_code = "NTRF+166+9310";
    t.operation_type = "transfer";
    add(std::move(t));
  }
  if (rng.chance(account == 0 ? 50 : 20)) {
    const Party& p = rng.chance(50) ? suppliers_[1] : suppliers_[2];
    debit(p, rng.range(20000, 900000), "ER-" + std::to_string(day.year) + "-" + digits(rng.next() % 100000, 5) + " Lieferung " + compact(day),
          "SUPP");
  }
  // Monthly fixtures.
  if (account == 0 && day == first_business_day(day)) debit(suppliers_[4], 245000, "Miete " + month_label(day) + " Lager Süd", "RENT");
  if (account == 0 && day == business_on_or_after(Date{day.year, day.month, 10}))
    debit(suppliers_[3], rng.range(300000, 900000), "USt-VA " + month_label(day.add_days(-30)) + " StNr 123/456/78901", "TAXS");
  if (day == business_on_or_after(Date{day.year, day.month, 15})) {
    Txn t;
    const bool power = account == 0;
    t.counterparty = power ? suppliers_[0] : suppliers_[5];
    t.amount_minor = -(power ? rng.range(18000, 42000) : rng.range(3999, 12999));
    t.purpose = power ? "Abschlag Strom/Gas " + month_label(day) + " Vertragskonto 55012"
                      : "Telekom Rechnung " + month_label(day) + " Kd-Nr 4711-0815";
    t.purpose_code = power ? "ELEC" : "PHON";
    t.mandate_id = power ? "MNDT-55012" : "TK-4711-0815";
    t.creditor_id = power ? "DE98ZZZ09999999999" : "DE49ZZZ00000070000";
    t.end_to_end_id = "DD-" + compact(day) + "-" + std::to_string(account);
    t.bank_transaction_code = "PMNT-RDDT-ESDD";
    t.dk_code = "NDDT+105+9310";
    t.bank_label = "FOLGELASTSCHRIFT " + t.purpose;
    t.operation_type = "direct_debit";
    add(std::move(t));
  }
  if (account == 0 && day == business_days_before(month_end(day).add_days(1), 3)) {
    const std::array<std::pair<const char*, std::int64_t>, 3> staff = {{{"Jürgen Größer", 321000}, {"Ayşe Öztürk", 287450}, {"Zoë Weiß", 254300}}};
    std::uint64_t n = 1;
    for (const auto& [name, minor] : staff) {
      Txn t;
      t.counterparty = {name, german_iban("10050000", 70000000 + n++), "BELADEBEXXX"};
      t.amount_minor = -minor;
      t.purpose = "Gehalt " + month_label(day);
      t.purpose_code = "SALA";
      t.end_to_end_id = "LOHN-" + compact(day) + "-" + std::to_string(n);
      t.bank_transaction_code = "PMNT-ICDT-ESCT";
      t.dk_code = "NTRF+153+9310";
      t.operation_type = "transfer";
      add(std::move(t));
    }
  }
  if (day == last_business_day(day)) {
    Txn t;
    t.counterparty = {acc.bank_name, "", acc.bic};
    t.amount_minor = account == 0 ? -1990 : -1250;
    t.purpose = "Kontoführungsentgelt " + month_label(day);
    t.bank_transaction_code = "ACMT-MDOP-FEES";
    t.dk_code = "NCHG+805+9310";
    t.operation_type = "unknown";
    add(std::move(t));
  }
  if (account == 0 && day == last_business_day(day)) {
    // The deferred debit of the company card: every purchase of the month at once.
    std::int64_t total = 0;
    for (const Txn& c : card_purchases_between(3, Date{day.year, day.month, 1}, month_end(day))) total += c.amount_minor;
    if (total != 0) {
      Txn t;
      t.counterparty = {accounts_[3].bank_name, "", accounts_[3].bic};
      t.amount_minor = total;
      t.purpose = "Kreditkartenabrechnung " + month_label(day) + " " + accounts_[3].masked_pan;
      t.bank_transaction_code = "PMNT-CCRD-OTHR";
      t.dk_code = "NMSC+106+9310";
      t.operation_type = "deferred_debit_card";
      add(std::move(t));
    }
  }
  return out;
}

std::vector<Txn> Ledger::booked_on(std::size_t account, Date day) const {
  if (account >= accounts_.size() || day < first_day_) return {};
  return generate(account, day);
}

std::vector<Txn> Ledger::booked_between(std::size_t account, Date from, Date to) const {
  std::vector<Txn> out;
  if (from < first_day_) from = first_day_;
  for (Date d = from; d <= to; d = d.add_days(1)) {
    auto day = booked_on(account, d);
    out.insert(out.end(), std::make_move_iterator(day.begin()), std::make_move_iterator(day.end()));
  }
  return out;
}

std::int64_t Ledger::booked_balance(std::size_t account, Date day) const {
  const Account& acc = accounts_[account];
  if (acc.kind == AccountKind::card) {
    // Purchases of the current month not yet debited; the month end settles them.
    if (day == month_end(day)) return 0;
    std::int64_t sum = 0;
    for (const Txn& t : card_purchases_between(account, Date{day.year, day.month, 1}, day)) sum += t.amount_minor;
    return sum;
  }
  std::int64_t sum = acc.opening_minor;
  for (const Txn& t : booked_between(account, first_day_, day)) sum += t.amount_minor;
  return sum;
}

}  // namespace bankrec::app::sandbox
