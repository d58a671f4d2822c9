#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// The knobs of the reconciliation engine. app/ fills a RuleSet from rules.yaml later; until then
/// default_rule_set() gives the built-in defaults (German retailer, SKR03 accounts).
namespace bankrec::reconcile {

/// Which way money moves on a statement line.
enum class Direction : std::uint8_t { any, incoming, outgoing };

/// A recurring line that is not paid against an open item (bank fees, salaries, card acquirer
/// payouts, tax) and is booked straight to an account. A rule fires when the direction fits and
/// any one of its triggers hits.
struct CounterBookingRule {
  std::string name;     ///< shown in reasons: "bank fees"
  std::string account;  ///< ledger account the line is booked to: "4970"
  Direction direction = Direction::any;
  std::vector<std::string> gvc_codes;      ///< German GVC ("805"), exact
  std::vector<std::string> iso_codes;      ///< ISO bank transaction code prefixes ("PMNT-ICDT-SALA")
  std::vector<std::string> name_keywords;  ///< normalised words/phrases in the counterparty name ("finanzamt")
  std::vector<std::string> text_keywords;  ///< normalised words/phrases in posting text or remittance ("gehalt")
  bool operator==(const CounterBookingRule&) const = default;
};

/// How a candidate identified its items; a MatchRule may allow only some.
enum class Strategy : std::uint8_t {
  document_number,     ///< a document number or payment reference cited in purpose / end-to-end id / reference
  creditor_reference,  ///< an ISO 11649 RF reference
  customer_number,     ///< a customer number cited in the purpose identifies the partner
  partner,             ///< the partner by counterparty IBAN or name, then the amount among its items
  grouped,             ///< several items in one payment (listed or found by subset sum); needs its identity strategy too
  counter_booking,     ///< a recurring line booked to an account
};
/// "document_number", ... (the rules.yaml names).
const char* strategy_name(Strategy s);

/// When a MatchRule applies. Every given condition must hold; an empty one always holds.
struct RuleConditions {
  std::vector<std::string> accounts;  ///< IBANs (electronic form) of our statement account
  Direction direction = Direction::any;
  std::optional<std::int64_t> amount_min_minor;  ///< magnitude of the line, minor units, inclusive
  std::optional<std::int64_t> amount_max_minor;
  std::string currency;                          ///< ISO 4217, "" for any
  std::vector<std::string> counterparty_names;   ///< ECMAScript regexes, case-insensitive, searched in the raw name
  std::vector<std::string> counterparty_ibans;   ///< IBANs; a trailing '*' matches any rest ("DE89370400*")
  std::string purpose_regex;                     ///< ECMAScript regex, case-insensitive, searched in posting text + remittance
  std::vector<std::string> transaction_codes;    ///< GVC ("166") exact or ISO domain codes by prefix ("PMNT-RCDT")
  bool operator==(const RuleConditions&) const = default;
};

/// One entry of the ordered rule set: the first rule whose conditions hold decides which
/// strategies may propose candidates for a line and with which thresholds and tolerances. A line no
/// rule fits uses every strategy with the RuleSet's own settings.
struct MatchRule {
  std::string name;
  RuleConditions when;
  std::vector<Strategy> strategies;  ///< empty: all
  bool allow_auto = true;            ///< false: candidates are only suggested
  /// A new or edited rule on probation: it never posts; a line it would post goes to review as a
  /// suggestion and its Decision::shadow_auto is set, until a person approves the rule (removes
  /// `shadow`) after a backtest.
  bool shadow = false;
  std::optional<int> auto_threshold;
  std::optional<int> auto_margin;
  std::optional<int> suggest_minimum;
  std::optional<std::int64_t> fee_tolerance_minor;
  std::optional<int> fee_tolerance_basis_points;
  std::optional<std::string> bank_fee_account;
  std::optional<int> discount_grace_days;
  std::optional<std::string> cash_discount_account;
  std::optional<std::int64_t> small_difference_minor;
  std::optional<std::string> small_difference_account;
  std::optional<bool> auto_partial;
  bool operator==(const MatchRule&) const = default;
};

/// A document series: items whose number starts with `prefix` (upper case letters), and words in
/// purpose texts that stand for that prefix ("RECHNUNG" → "RE").
struct SeriesAlias {
  std::string word;    ///< upper case, letters only: "RECHNUNG"
  std::string prefix;  ///< upper case series prefix: "RE"
  bool operator==(const SeriesAlias&) const = default;
};

struct RuleSet {
  int auto_threshold = 85;  ///< `auto` needs the best candidate's score >= this
  int auto_margin = 10;     ///< ... and at least this many points ahead of the second candidate
  int suggest_minimum = 40; ///< candidates below this are not suggested at all
  int max_suggestions = 3;

  /// Name similarity (Jaro-Winkler on normalised names, 0..1000) from which a name counts as the partner's.
  int name_similarity_min_permille = 900;

  /// Cash discount (Skonto): days after `discount_until` still accepted (bank transit).
  int discount_grace_days = 3;
  std::string cash_discount_account = "8736";

  /// A shortfall up to both limits counts as bank fees deducted by the payer's or an intermediary bank.
  std::int64_t fee_tolerance_minor = 1500;  ///< absolute, minor units (15.00 EUR)
  int fee_tolerance_basis_points = 500;     ///< relative to the amount due (5%)
  std::string bank_fee_account = "4970";

  /// Payment service providers (normalised counterparty name contains one of these): they pay out
  /// several customers' items in one line and deduct their fee.
  std::vector<std::string> psp_names;
  int psp_fee_basis_points = 400;         ///< fee up to 4% of the items' total ...
  std::int64_t psp_fee_fixed_minor = 35;  ///< ... plus this per item
  std::string psp_fee_account = "4970";

  /// An overpayment up to this is written off as a small difference; above it the line goes to review.
  std::int64_t small_difference_minor = 5;
  std::string small_difference_account = "2150";

  /// Partial payments of a certainly identified item may be posted automatically (the rest stays open).
  bool auto_partial = true;

  /// Subset search for unlisted grouped payments: at most this many items per combination, this
  /// many open items of one partner considered, and this many search steps per line.
  int subset_max_items = 4;
  int subset_max_candidates = 40;
  int subset_max_steps = 20000;

  /// Words that introduce a customer number ("KDNR 4711", "Kunden-Nr. 4711"); upper case.
  std::vector<std::string> customer_number_words;
  /// Words skipped between a series word and its number ("Re.-Nr. 123"); upper case.
  std::vector<std::string> filler_words;
  /// Generic words that introduce a document number of any series ("Beleg 2026-123"); upper case.
  std::vector<std::string> generic_number_words;
  std::vector<SeriesAlias> series_aliases;

  std::vector<CounterBookingRule> counter_bookings;

  /// The ordered rules (rules.yaml `rules:`); empty in the built-in defaults.
  std::vector<MatchRule> rules;

  bool operator==(const RuleSet&) const = default;
};

/// This RuleSet with the overrides of `rule` applied (thresholds, tolerances, accounts).
RuleSet apply_overrides(const RuleSet& base, const MatchRule& rule);

/// The built-in defaults: thresholds above, German keywords, SKR03 accounts, common PSPs and card
/// acquirers, counter-bookings for bank fees, salaries, card acquirer payouts and tax.
RuleSet default_rule_set();

}  // namespace bankrec::reconcile
