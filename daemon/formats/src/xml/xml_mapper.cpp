#include "xml/xml_mapper.h"

#include <libxml/tree.h>

#include <map>

#include "bankrec/domain/money.h"
#include "profiles/profile_set_impl.h"
#include "xml/xml_values.h"

namespace bankrec::formats::xml {
namespace {

constexpr std::size_t kContainsWindow = 64 * 1024;

bool in_list(const std::vector<std::string>& list, std::string_view v) {
  for (const auto& x : list)
    if (x == v) return true;
  return false;
}

std::string list_text(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& x : list) out += (out.empty() ? "'" : ", '") + x + "'";
  return out;
}

bool looks_like_iban(std::string_view s) {
  return s.size() >= 15 && s.size() <= 34 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
         s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9';
}

// 4 letters bank, 2 letters country, 2 alphanumerics location, optional 3 alphanumerics branch.
bool looks_like_bic(std::string_view s) {
  if (s.size() != 8 && s.size() != 11) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool letter = s[i] >= 'A' && s[i] <= 'Z';
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (i < 6 ? !letter : !(letter || digit)) return false;
  }
  return true;
}

std::string without_spaces(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

// Why a profile does not fit this document; empty when it does.
std::string mismatch(const XmlProfile& p, std::string_view head, std::string_view root, std::string_view ns) {
  if (p.root != root) return "expects root <" + p.root + ">";
  if (!p.namespace_uri.empty() && p.namespace_uri != ns) return "expects namespace '" + p.namespace_uri + "'";
  for (const auto& text : p.contains)
    if (head.find(text) == std::string_view::npos) return "expects the text '" + text + "' near the start";
  return {};
}

// One statement being read: raw header values by key ("iban", "closing_balance.amount"), the
// entry batch and the running sum for the balance check.
struct StatementState {
  std::uint32_t index = 0;
  std::string locator;  ///< "objects", "Report/Account[2]"
  std::uint32_t line = 0;
  std::map<std::string, std::string> values;
  std::vector<domain::Entry> batch;
  bool begun = false;
  std::uint32_t entries = 0;
  std::int64_t sum = 0;
  std::optional<domain::Currency> sum_currency;
  bool sum_valid = true;
};

class Mapper {
 public:
  Mapper(const XmlProfile& p, Doc& doc, const ParseOptions& options, StatementSink& sink)
      : p_(p), doc_(doc), options_(options), sink_(sink) {}

  Result<void> run() {
    BANKREC_TRY(sink_.set_format("xml:" + p_.name));
    if (!attributes_match(p_.statement.steps[0])) return finish();
    if (p_.statement.steps.size() == 1) {
      BANKREC_TRY(statement(std::string(doc_.name())));
    } else {
      BANKREC_TRY(descend(1, std::string(doc_.name())));
    }
    return finish();
  }

 private:
  Result<void> finish() {
    while (BANKREC_TRY(doc_.advance())) {
    }
    return ok();
  }

  bool attributes_match(const XmlPathStep& step) const {
    if (step.attribute.empty()) return true;
    return doc_.attribute(step.attribute).value_or("\x01") == step.value;
  }

  // Children of the element matching statement.steps[k - 1] that match steps[k].
  Result<void> descend(std::size_t k, const std::string& locator) {
    if (doc_.is_empty()) return ok();
    const int depth = doc_.depth();
    std::map<std::string, std::uint32_t, std::less<>> seen;
    while (BANKREC_TRY(doc_.advance())) {
      if (doc_.type() == XML_READER_TYPE_END_ELEMENT && doc_.depth() == depth) return ok();
      if (doc_.type() != XML_READER_TYPE_ELEMENT || doc_.depth() != depth + 1) continue;
      const XmlPathStep& step = p_.statement.steps[k];
      const std::string name(doc_.name());
      if (!step.matches_name(name) || !attributes_match(step)) {
        doc_.skip();
        continue;
      }
      const std::string here = locator + "/" + name + "[" + std::to_string(++seen[name]) + "]";
      if (k + 1 == p_.statement.steps.size()) {
        BANKREC_TRY(statement(here));
      } else {
        BANKREC_TRY(descend(k + 1, here));
      }
    }
    return ok();
  }

  Result<void> statement(const std::string& locator) {
    StatementState st;
    st.index = ++statements_;
    st.locator = locator;
    st.line = doc_line();
    for (const auto& [key, field] : p_.header)
      for (const auto& path : field.paths)
        if (path.steps.empty() && !path.attribute.empty())
          if (auto v = doc_.attribute(path.attribute); v && !v->empty()) append(st.values[key], *v);
    BANKREC_TRY(walk(0, st, st.locator));
    BANKREC_TRY(flush(st));
    auto header = BANKREC_TRY(build_header(st));
    if (!st.begun) BANKREC_TRY(sink_.begin_statement(header));
    check_balances(header, st);
    return sink_.end_statement(header);
  }

  // Children of the statement element (k = 0) or of an entry container (entry.steps[k - 1]).
  Result<void> walk(std::size_t k, StatementState& st, const std::string& locator) {
    if (doc_.is_empty()) return ok();
    const int depth = doc_.depth();
    std::map<std::string, std::uint32_t, std::less<>> seen;  // for locators: object[3]
    while (BANKREC_TRY(doc_.advance())) {
      if (doc_.type() == XML_READER_TYPE_END_ELEMENT && doc_.depth() == depth) return ok();
      if (doc_.type() != XML_READER_TYPE_ELEMENT || doc_.depth() != depth + 1) continue;
      const std::string name(doc_.name());
      const std::uint32_t nth = ++seen[name];
      const XmlPathStep& step = p_.entry.steps[k];
      if (step.matches_name(name) && attributes_match(step)) {
        const std::string here = locator + "/" + name + "[" + std::to_string(nth) + "]";
        if (k + 1 < p_.entry.steps.size()) {
          BANKREC_TRY(walk(k + 1, st, here));
          continue;
        }
        BANKREC_TRY(entry(here, st));
        doc_.skip();
        continue;
      }
      if (k == 0 && wants_header(name)) {
        xmlNode* node = BANKREC_TRY(doc_.expand(st.locator));
        collect_header(node, name, st);
      }
      doc_.skip();
    }
    return ok();
  }

  bool wants_header(std::string_view name) const {
    const auto wants = [&](const XmlField& f) {
      for (const auto& path : f.paths)
        if (!path.steps.empty() && path.steps[0].matches_name(name)) return true;
      return false;
    };
    for (const auto& [key, field] : p_.header)
      if (wants(field)) return true;
    for (const XmlBalance* b : {&p_.opening_balance, &p_.closing_balance})
      if (wants(b->amount) || wants(b->currency) || wants(b->date) || wants(b->direction)) return true;
    return false;
  }

  static void append(std::string& to, const std::string& v) { to += (to.empty() ? "" : " ") + v; }

  void collect(xmlNode* node, std::string_view name, const std::string& key, const XmlField& field,
               StatementState& st) const {
    for (const auto& path : field.paths) {
      if (path.steps.empty() || !path.steps[0].matches_name(name) || !matches_predicate(node, path.steps[0]))
        continue;
      for (const auto& v : select_values(node, path, 1)) append(st.values[key], v);
    }
  }

  void collect_header(xmlNode* node, std::string_view name, StatementState& st) const {
    for (const auto& [key, field] : p_.header) collect(node, name, key, field, st);
    const std::pair<const char*, const XmlBalance*> balances[] = {{"opening_balance", &p_.opening_balance},
                                                                  {"closing_balance", &p_.closing_balance}};
    for (const auto& [prefix, b] : balances) {
      const std::string k(prefix);
      collect(node, name, k + ".amount", b->amount, st);
      collect(node, name, k + ".currency", b->currency, st);
      collect(node, name, k + ".date", b->date, st);
      collect(node, name, k + ".direction", b->direction, st);
    }
  }

  std::uint32_t doc_line() const { return 0; }

  std::optional<std::string> value(const StatementState& st, const std::string& key) const {
    const auto it = st.values.find(key);
    if (it == st.values.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }

  Result<domain::Currency> currency_of(std::optional<std::string> code, const StatementState& st,
                                       std::uint32_t line, const std::string& locator) const {
    if (!code) code = value(st, "currency");
    if (!code && !p_.currency.empty()) code = p_.currency;
    if (!code)
      return entry_error(line, locator,
                         "no currency: map a currency path or set values.currency in " + p_.path);
    auto c = domain::Currency::find(*code);
    if (!c) return entry_error(line, locator, "unknown currency '" + *code + "'");
    return *c;
  }

  Result<std::int64_t> signed_amount(const std::string& text, const std::optional<std::string>& direction,
                                     const domain::Currency& currency, std::uint32_t line,
                                     const std::string& locator) const {
    auto minor = parse_minor(text, p_.decimal_separator, p_.thousands_separator, currency.exponent);
    if (!minor) return entry_error(line, locator, minor.error().message);
    std::int64_t v = *minor;
    if (direction) {
      if (v < 0) v = -v;
      if (in_list(p_.debit_values, *direction)) {
        v = -v;
      } else if (!in_list(p_.credit_values, *direction)) {
        return entry_error(line, locator,
                           "unknown direction '" + *direction + "' (expected " + list_text(p_.debit_values) +
                               " or " + list_text(p_.credit_values) + ")");
      }
    }
    return p_.negate ? -v : v;
  }

  Result<std::optional<domain::Balance>> balance(const StatementState& st, const std::string& key) const {
    const auto amount = value(st, key + ".amount");
    if (!amount) return std::optional<domain::Balance>();
    const std::string locator = st.locator + " (" + key + ")";
    const auto currency = BANKREC_TRY(currency_of(value(st, key + ".currency"), st, st.line, locator));
    domain::Balance b;
    b.amount = domain::Money(
        BANKREC_TRY(signed_amount(*amount, value(st, key + ".direction"), currency, st.line, locator)),
        currency);
    if (const auto date = value(st, key + ".date")) {
      auto d = parse_date_pattern(*date, p_.date_format);
      if (!d) return doc_.error(st.line, locator, d.error().message);
      b.date = *d;
    }
    return std::optional<domain::Balance>(b);
  }

  Result<domain::Statement> build_header(const StatementState& st) const {
    domain::Statement h;
    h.id = value(st, "id");
    h.sequence = value(st, "sequence");
    h.created_at = value(st, "created_at");
    if (auto iban = value(st, "iban")) h.account.iban = without_spaces(*iban);
    h.account.number = value(st, "account_number");
    h.account.bic = value(st, "bic");
    h.account.bank_code = value(st, "bank_code");
    h.account.currency = value(st, "currency");
    h.account.owner = value(st, "owner");
    h.account.name = value(st, "account_name");
    for (const char* key : {"from_date", "to_date"}) {
      const auto text = value(st, key);
      if (!text) continue;
      auto d = parse_date_pattern(*text, p_.date_format);
      if (!d) return doc_.error(st.line, st.locator + " (" + key + ")", d.error().message);
      (std::string_view(key) == "from_date" ? h.from_date : h.to_date) = *d;
    }
    h.opening_balance = BANKREC_TRY(balance(st, "opening_balance"));
    h.closing_balance = BANKREC_TRY(balance(st, "closing_balance"));
    return h;
  }

  void check_balances(domain::Statement& h, const StatementState& st) const {
    if (!h.opening_balance || !h.closing_balance || !st.sum_valid) return;
    const auto& open = h.opening_balance->amount;
    const auto& close = h.closing_balance->amount;
    if (!(open.currency() == close.currency()) || (st.sum_currency && !(*st.sum_currency == open.currency())))
      return;
    const domain::Money expected(open.minor() + st.sum, open.currency());
    if (expected.minor() != close.minor())
      h.warnings.push_back("opening balance + entries = " + expected.to_string() +
                           ", closing balance = " + close.to_string());
  }

  Result<void> flush(StatementState& st) {
    if (st.batch.empty()) return ok();
    if (!st.begun) {
      BANKREC_TRY(sink_.begin_statement(BANKREC_TRY(build_header(st))));
      st.begun = true;
    }
    BANKREC_TRY(sink_.add_entries(st.batch));
    st.batch.clear();
    return ok();
  }

  Result<void> entry(const std::string& locator, StatementState& st) {
    ++st.entries;
    xmlNode* node = BANKREC_TRY(doc_.expand(locator));
    const auto line = static_cast<std::uint32_t>(std::max(1L, xmlGetLineNo(node)));
    last_locator_.clear();
    auto made = make_entry(node, st, line, locator);
    if (!made) {
      if (!options_.lenient) return Unexpected{made.error()};
      SourcePos pos;
      pos.line = made.error().line;
      pos.column = made.error().column;
      pos.locator = last_locator_.empty() ? locator : last_locator_;
      sink_.reject({std::move(pos), made.error().message});
      return ok();
    }
    if (!st.sum_currency) st.sum_currency = made->amount.currency();
    if (!(*st.sum_currency == made->amount.currency())) st.sum_valid = false;
    st.sum += made->amount.minor();
    st.batch.push_back(std::move(*made));
    if (st.batch.size() >= kEntryBatch) BANKREC_TRY(flush(st));
    return ok();
  }

  /// An entry error; remembers its locator for the rejects of lenient mode.
  Unexpected entry_error(std::uint32_t line, const std::string& locator, std::string message) const {
    last_locator_ = locator;
    return doc_.error(line, locator, std::move(message));
  }

  std::optional<std::string> field(xmlNode* node, const char* key) const {
    const auto it = p_.fields.find(key);
    if (it == p_.fields.end()) return std::nullopt;
    return field_value(node, it->second);
  }

  std::string field_path(const char* key) const {
    const auto it = p_.fields.find(key);
    return it == p_.fields.end() || it->second.paths.empty() ? std::string(key) : it->second.paths[0].text;
  }

  std::uint32_t line_of(xmlNode* node, const char* key) const {
    const auto it = p_.fields.find(key);
    const long line = it == p_.fields.end() ? xmlGetLineNo(node) : field_line(node, it->second);
    return static_cast<std::uint32_t>(std::max(1L, line));
  }

  Result<std::optional<domain::Date>> date_field(xmlNode* node, const char* key,
                                                 const std::string& locator) const {
    const auto text = field(node, key);
    if (!text) return std::optional<domain::Date>();
    auto d = parse_date_pattern(*text, p_.date_format);
    if (!d) return entry_error(line_of(node, key), locator + "/" + field_path(key), d.error().message);
    return std::optional<domain::Date>(*d);
  }

  Result<domain::Entry> make_entry(xmlNode* node, const StatementState& st, std::uint32_t line,
                                   const std::string& locator) const {
    domain::Entry e;
    const auto amount = field(node, "amount");
    if (!amount) return entry_error(line, locator, "no amount at '" + field_path("amount") + "'");
    const std::string amount_locator = locator + "/" + field_path("amount");
    const std::uint32_t amount_line = line_of(node, "amount");
    const auto currency = BANKREC_TRY(currency_of(field(node, "currency"), st, amount_line, amount_locator));
    e.amount = domain::Money(
        BANKREC_TRY(signed_amount(*amount, field(node, "direction"), currency, amount_line, amount_locator)),
        currency);
    e.booking_date = BANKREC_TRY(date_field(node, "booking_date", locator));
    e.value_date = BANKREC_TRY(date_field(node, "value_date", locator));
    if (const auto status = field(node, "status")) {
      if (in_list(p_.pending_values, *status)) e.status = domain::EntryStatus::pending;
      if (in_list(p_.info_values, *status)) e.status = domain::EntryStatus::info;
    }
    e.bank_reference = field(node, "bank_reference");
    e.customer_reference = field(node, "customer_reference");
    e.end_to_end_id = field(node, "end_to_end_id");
    e.mandate_id = field(node, "mandate_id");
    e.creditor_id = field(node, "creditor_id");
    e.posting_text = field(node, "posting_text");
    e.transaction_code.proprietary = field(node, "transaction_code");
    e.transaction_code.gvc = field(node, "gvc");
    e.counterparty.name = field(node, "counterparty_name");
    if (const auto iban = field(node, "counterparty_iban")) {
      // Older exports put a plain account number where the IBAN goes.
      if (std::string compact = without_spaces(*iban); looks_like_iban(compact))
        e.counterparty.iban = compact;
      else
        e.counterparty.account = *iban;
    }
    e.counterparty.bic = field(node, "counterparty_bic");
    if (const auto account = field(node, "counterparty_account")) e.counterparty.account = account;
    if (auto code = field(node, "counterparty_bank_code")) {
      // SEPA-era exports (Hibiscus among them) keep the BIC where the bank code used to be.
      if (looks_like_bic(*code) && !e.counterparty.bic)
        e.counterparty.bic = std::move(code);
      else
        e.counterparty.bank_code = std::move(code);
    }
    e.remittance = field(node, "remittance");
    e.structured_reference = field(node, "structured_reference");
    return e;
  }

  const XmlProfile& p_;
  Doc& doc_;
  const ParseOptions& options_;
  StatementSink& sink_;
  std::uint32_t statements_ = 0;
  mutable std::string last_locator_;
};

}  // namespace

Result<const XmlProfile*> choose_profile(std::string_view input, std::string_view root, std::string_view ns,
                                         const ParseOptions& options) {
  const SourcePos start = locate(input, 0);
  const std::vector<XmlProfile>* profiles =
      options.profiles != nullptr ? &options.profiles->impl().xml : nullptr;
  if (profiles == nullptr || profiles->empty())
    return parse_error(
        options, start,
        "no xml bank profile is loaded: a generic xml file needs one (etc/profiles/*.yaml, kind: xml)");
  if (!options.profile.empty()) {
    for (const auto& p : *profiles)
      if (p.name == options.profile) return &p;
    return parse_error(options, start, "no xml profile named '" + std::string(options.profile) + "'");
  }
  const std::string_view head = input.substr(0, std::min(input.size(), kContainsWindow));
  const XmlProfile* best = nullptr;
  std::size_t best_score = 0;
  std::string why;
  for (const auto& p : *profiles) {
    const std::string reason = mismatch(p, head, root, ns);
    if (!reason.empty()) {
      why += "; " + p.name + " " + reason;
      continue;
    }
    const std::size_t score = 1 + (p.namespace_uri.empty() ? 0 : 2) + p.contains.size();
    if (score > best_score) best = &p, best_score = score;
  }
  if (best != nullptr) return best;
  return parse_error(options, start,
                     "no xml profile matches this file (root <" + std::string(root) + ">" +
                         (ns.empty() ? std::string() : ", namespace '" + std::string(ns) + "'") + ")" + why);
}

Result<void> map_document(const XmlProfile& profile, Doc& doc, const ParseOptions& options,
                          StatementSink& sink) {
  Mapper mapper(profile, doc, options, sink);
  return mapper.run();
}

}  // namespace bankrec::formats::xml
