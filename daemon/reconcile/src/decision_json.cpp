#include "bankrec/reconcile/decision_json.h"

#include "bankrec/domain/json.h"

namespace bankrec::reconcile {
namespace {

void append_matches(std::string& out, const std::vector<Application>& matches) {
  out += '[';
  for (std::size_t i = 0; i < matches.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"item\": " + domain::json_quote(matches[i].item_id) +
           ", \"amount\": " + domain::json_quote(matches[i].amount.to_string()) + "}";
  }
  out += ']';
}

void append_strings(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += domain::json_quote(items[i]);
  }
  out += ']';
}

void append_writeoff(std::string& out, const std::optional<WriteOff>& w) {
  if (!w) {
    out += "null";
    return;
  }
  out += "{\"amount\": " + domain::json_quote(w->amount.to_string()) + ", \"reason\": " + domain::json_quote(w->reason) +
         ", \"account\": " + domain::json_quote(w->account) + "}";
}

void append_features(std::string& out, const Features& f) {
  out += "{\"token\": " + domain::json_quote(f.token) + ", \"field\": " + domain::json_quote(f.field) +
         ", \"identity\": " + std::to_string(f.identity) + ", \"amount_fit\": " + std::to_string(f.amount_fit) +
         ", \"amount_difference_minor\": " + std::to_string(f.amount_difference_minor) + ", \"days_from_due\": " +
         (f.days_from_due ? std::to_string(*f.days_from_due) : std::string("null")) +
         ", \"iban_known\": " + (f.iban_known ? "true" : "false") +
         ", \"name_similarity\": " + std::to_string(f.name_similarity_permille) +
         ", \"discount_applicable\": " + (f.discount_applicable ? "true" : "false") +
         ", \"slips\": " + std::to_string(f.slips) + "}";
}

}  // namespace

std::string decision_to_json(const EntryRef& ref, const Decision& d, bool with_features) {
  std::string out = "{\"file\": " + domain::json_quote(ref.file) + ", \"statement\": " + std::to_string(ref.statement) +
                    ", \"entry\": " + std::to_string(ref.index) +
                    ", \"amount\": " + domain::json_quote(ref.entry->amount.to_string()) +
                    ", \"decision\": \"" + decision_kind_name(d.kind) + "\", \"score\": " + std::to_string(d.score) +
                    ", \"matches\": ";
  append_matches(out, d.matches);
  out += ", \"writeoff\": ";
  append_writeoff(out, d.writeoff);
  out += ", \"reasons\": ";
  append_strings(out, d.reasons);
  out += ", \"suggestions\": [";
  for (std::size_t i = 0; i < d.suggestions.size(); ++i) {
    const Candidate& c = d.suggestions[i];
    if (i > 0) out += ", ";
    out += "{\"matches\": ";
    append_matches(out, c.matches);
    out += ", \"score\": " + std::to_string(c.score) + ", \"reasons\": ";
    append_strings(out, c.reasons);
    out += "}";
  }
  out += "]";
  if (with_features) {
    out += ", \"features\": ";
    append_features(out, d.features);
  }
  out += "}";
  return out;
}

std::string features_to_json(const Features& features) {
  std::string out;
  append_features(out, features);
  return out;
}

std::string strings_to_json(const std::vector<std::string>& items) {
  std::string out;
  append_strings(out, items);
  return out;
}

}  // namespace bankrec::reconcile
