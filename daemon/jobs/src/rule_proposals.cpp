#include "bankrec/jobs/rule_proposals.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "bankrec/base/text.h"

namespace bankrec::jobs {
namespace {

constexpr std::size_t kMinWordLength = 3;

struct Group {
  std::string kind, payer_iban, payer_name, partner, direction;
  std::vector<const store::ManualDecision*> decisions;
};

std::string electronic_iban(std::string_view iban) {
  std::string out;
  for (char c : iban)
    if (c != ' ') out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  return out;
}

/// Words (no digits) of a purpose text, normalised: what a recurring line repeats.
std::set<std::string> purpose_words(const std::string& text) {
  std::set<std::string> out;
  const std::string norm = text::normalize_for_matching(text);
  std::size_t i = 0;
  while (i < norm.size()) {
    const std::size_t j = std::min(norm.find(' ', i), norm.size());
    const std::string word = norm.substr(i, j - i);
    const bool digits = std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (word.size() >= kMinWordLength && !digits) out.insert(word);
    i = j + 1;
  }
  return out;
}

std::vector<std::string> common_words(const Group& g) {
  std::set<std::string> common = purpose_words(g.decisions.front()->remittance);
  for (const auto* d : g.decisions) {
    const auto words = purpose_words(d->remittance);
    std::set<std::string> both;
    std::set_intersection(common.begin(), common.end(), words.begin(), words.end(), std::inserter(both, both.end()));
    common = std::move(both);
  }
  return {common.begin(), common.end()};
}

std::string yaml_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& words) {
  std::string out = "[";
  for (const auto& w : words) out += (out.size() > 1 ? ", " : "") + yaml_quoted(w);
  return out + "]";
}

std::string entries_text(const Group& g, bool json) {
  std::string out;
  for (const auto* d : g.decisions) {
    if (!out.empty()) out += json ? "," : ", ";
    out += std::to_string(d->entry_id);
  }
  return json ? "[" + out + "]" : out;
}

std::string payer_text(const Group& g) {
  std::string out = "'" + g.payer_name + "'";
  if (!g.payer_iban.empty()) out += " (" + g.payer_iban + ")";
  return out;
}

std::string no_match_yaml(const Group& g, const std::vector<std::string>& words) {
  const std::string name = text::normalize_party_name(g.payer_name);
  std::string y = "# " + std::to_string(g.decisions.size()) + " lines from " + payer_text(g) +
                  " were marked as no match by hand (entries " + entries_text(g, false) + ").\n"
                  "# Book such lines to an account: fill in the account, then add this to counter_bookings.\n"
                  "counter_bookings:\n"
                  "  - name: " + yaml_quoted("recurring: " + (name.empty() ? g.payer_iban : name)) + "\n"
                  "    account: \"\"            # the ledger account these lines go to\n"
                  "    direction: " + g.direction + "\n"
                  "    gvc_codes: []\n    iso_codes: []\n";
  // The payer's name identifies the line; the purpose words only when there is no name.
  y += "    name_keywords: " + list(name.empty() ? std::vector<std::string>{} : std::vector<std::string>{name}) + "\n";
  y += "    text_keywords: " + list(name.empty() ? words : std::vector<std::string>{}) + "\n";
  return y;
}

std::string partner_yaml(const Group& g, const std::vector<std::string>& words) {
  std::string y = "# " + std::to_string(g.decisions.size()) + " lines from " + payer_text(g) +
                  " were matched by hand to items of partner " + g.partner + " (entries " + entries_text(g, false) +
                  ").\n# A rule for this payer that reads its lines by partner and amount and only suggests.\n"
                  "rules:\n"
                  "  - name: " + yaml_quoted("payer " + (g.payer_name.empty() ? g.payer_iban : g.payer_name) +
                                        " pays partner " + g.partner) + "\n"
                  "    when:\n";
  if (!g.payer_iban.empty()) y += "      counterparty_iban: " + yaml_quoted(g.payer_iban) + "\n";
  else y += "      counterparty_name: " + yaml_quoted(g.payer_name) + "\n";
  y += "      direction: " + g.direction + "\n";
  if (!words.empty()) {
    std::string alt;
    for (const auto& w : words) alt += (alt.empty() ? "" : "|") + w;
    y += "      purpose: " + yaml_quoted(alt) + "\n";
  }
  y += "    strategy: [document_number, customer_number, partner, grouped]\n"
       "    auto: false\n";
  return y;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

Result<std::vector<store::RuleProposal>> propose_rules(store::Store& store, const RuleProposalOptions& options,
                                                       std::string_view actor) {
  store::ReconcileRepo repo(store);
  const auto decisions = BANKREC_TRY(repo.manual_decisions(options.max_decisions));
  std::map<std::string, Group> groups;  // ordered: proposals are saved in a stable order
  for (const auto& d : decisions) {
    const std::string iban = electronic_iban(d.counterparty_iban);
    const std::string name = text::normalize_party_name(d.counterparty_name);
    if (iban.empty() && name.empty()) continue;
    if (!d.no_match && d.partner_keys.size() != 1) continue;
    const std::string direction = d.amount_minor < 0 ? "outgoing" : "incoming";
    const std::string kind = d.no_match ? "no_match" : "partner";
    const std::string partner = d.no_match ? "" : d.partner_keys.front();
    const std::string key = kind + "|" + (iban.empty() ? "name:" + name : iban) + "|" + direction + "|" + partner;
    Group& g = groups[key];
    if (g.decisions.empty()) g = {kind, iban, d.counterparty_name, partner, direction, {}};
    g.decisions.push_back(&d);
  }
  for (const auto& [key, g] : groups) {
    if (g.decisions.size() < options.min_support) continue;
    const auto words = common_words(g);
    store::RuleProposal p;
    p.kind = g.kind;
    p.pattern_key = key;
    p.counterparty_iban = g.payer_iban;
    p.counterparty_name = g.payer_name;
    p.partner_key = g.partner;
    p.purpose_words = joined(words);
    p.support = static_cast<std::int64_t>(g.decisions.size());
    p.entries_json = entries_text(g, /*json=*/true);
    p.rule_yaml = g.kind == "no_match" ? no_match_yaml(g, words) : partner_yaml(g, words);
    BANKREC_TRY(repo.save_rule_proposal(p, actor));
  }
  return repo.rule_proposals();
}

}  // namespace bankrec::jobs
