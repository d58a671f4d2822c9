#include "text_scan.h"

#include <algorithm>

#include "bankrec/base/text.h"
#include "bankrec/domain/creditor_reference.h"

namespace bankrec::reconcile {
namespace {

// Identity points of a citation (see rules.h for the decision thresholds they feed).
constexpr int kFull = 60;
constexpr int kConcat = 58;
constexpr int kReferenceBonus = 2;
constexpr int kSequenceUnique = 52;
constexpr int kSequenceShared = 40;
constexpr int kBare = 48;
constexpr int kCreditorReference = 65;
constexpr int kSlipPenalty = 15;
constexpr int kTranspositionPenalty = 18;
constexpr std::size_t kMaxRun = 5;
constexpr std::size_t kMaxHits = 8;
constexpr std::size_t kMinBareDigits = 5;

/// Memory the scanner reuses from field to field and line to line (one per thread).
struct ScanScratch {
  std::vector<Token> tokens;
  std::vector<const WordClass*> classes;
  std::vector<std::string_view> stripped;
  std::vector<std::string_view> joined;
  std::string concat;
};

class Scanner {
 public:
  Scanner(const ItemIndex& index, const char* field, TextFindings& out, ScanScratch& scratch)
      : index_(index), field_(field), out_(out), t_(scratch.tokens), cls_(scratch.classes), scratch_(scratch) {}

  void scan(std::string_view text) {
    tokenize_into(text, t_);
    // One lookup per word: the scanner asks each word's class several times.
    cls_.resize(t_.size());
    for (std::size_t k = 0; k < t_.size(); ++k) cls_[k] = t_[k].digits ? nullptr : index_.classify(t_[k].text);
    std::size_t i = 0;
    while (i < t_.size()) {
      std::size_t used = t_[i].digits ? try_bare(i) : try_customer(i);
      if (used == 0 && !t_[i].digits) used = try_prefixed(i);
      i += std::max<std::size_t>(used, 1);
    }
  }

 private:
  const WordClass* word(std::size_t i) const { return cls_[i]; }
  bool is_filler(std::size_t i) const { const auto* w = word(i); return w != nullptr && w->filler; }
  bool is_generic(std::size_t i) const { const auto* w = word(i); return w != nullptr && w->generic; }
  bool is_customer_word(std::size_t i) const { const auto* w = word(i); return w != nullptr && w->customer; }

  /// The series prefix an alpha token stands for, or "" when it is none.
  std::string_view prefix_of(std::size_t i) const {
    if (const auto* w = word(i)) return w->prefix;
    // MT940 joins its 27-character fields without the space the payer typed: "OHG" + "WS-100412"
    // arrives as "OHGWS-100412". A known prefix at the end of a word glued to its number still counts.
    if (t_[i].digits || i + 1 >= t_.size() || !t_[i + 1].digits || !t_[i + 1].joined) return {};
    const std::string& text = t_[i].text;
    for (std::size_t k = 2; k <= 4 && k < text.size(); ++k)
      if (const auto* w = index_.classify(text.substr(text.size() - k)); w != nullptr && !w->prefix.empty())
        return w->prefix;
    return {};
  }

  std::size_t skip_fillers(std::size_t j) const {
    for (int k = 0; k < 2 && j < t_.size() && is_filler(j); ++k) ++j;
    return j;
  }

  std::size_t run_length(std::size_t j) const {
    std::size_t n = 0;
    while (j + n < t_.size() && n < kMaxRun && t_[j + n].digits && (n == 0 || !t_[j + n].break_before)) ++n;
    return n;
  }

  std::size_t try_customer(std::size_t i) {
    if (!is_customer_word(i)) return 0;
    std::size_t j = skip_fillers(i + 1);
    if (j >= t_.size()) return 0;
    std::string key;
    if (t_[j].digits) {
      key = std::string(strip_zeros(t_[j].text));
    } else if (j + 1 < t_.size() && t_[j + 1].digits && t_[j + 1].attached) {
      key = t_[j].text + t_[j + 1].text;
      ++j;
    } else {
      return 0;
    }
    const auto partners = index_.find_partners_by_customer_number(key);
    if (partners.empty()) return 0;
    for (auto p : partners)
      if (std::find(out_.customer_partners.begin(), out_.customer_partners.end(), p) == out_.customer_partners.end())
        out_.customer_partners.push_back(p);
    out_.customer_token = key;
    return j + 1 - i;
  }

  /// Adds the postings of `key` to `m`; false when there were none.
  bool collect(KeyKind kind, std::string_view prefix, const std::vector<std::string_view>& groups, int strength,
               const char* how, Mention& m) {
    const auto postings = index_.find_document(document_key(kind, prefix, groups));
    int sequence_strength = postings.size() == 1 ? kSequenceUnique : kSequenceShared;
    bool any = false;
    for (const auto& p : postings) {
      if (m.hits.size() >= kMaxHits) break;
      ItemHit hit{p.item, kind == KeyKind::sequence ? sequence_strength : strength, 0, how};
      if (p.reference) {
        hit.strength += kReferenceBonus;
        hit.how = "payment reference";
      }
      m.hits.push_back(hit);
      any = true;
    }
    return any;
  }

  /// The groups of tokens [j, j + len): zeros stripped, and joined as printed (views into the scratch).
  struct Groups {
    const std::vector<std::string_view>& stripped;
    const std::vector<std::string_view>& joined;
    int slips = 0;
  };
  Groups groups_of(std::size_t j, std::size_t len) {
    auto& stripped = scratch_.stripped;
    auto& concat = scratch_.concat;
    stripped.clear();
    concat.clear();
    int slips = 0;
    for (std::size_t k = j; k < j + len; ++k) {
      stripped.push_back(strip_zeros(t_[k].text));
      concat += t_[k].text;
      slips += t_[k].slips;
    }
    scratch_.joined.assign(1, std::string_view(concat));
    return Groups{stripped, scratch_.joined, slips};
  }

  bool lookup_prefixed(std::string_view p, std::size_t j, std::size_t len, Mention& m) {
    const Groups g = groups_of(j, len);
    const std::vector<std::string_view>& joined = g.joined;
    bool hit = collect(KeyKind::full, p, g.stripped, kFull, "document number", m) ||
               collect(KeyKind::concat, p, joined, kConcat, "document number written together", m);
    if (!hit && len == 1 && !is_year_group(t_[j].text, false))
      hit = collect(KeyKind::sequence, p, g.stripped, 0, "document number without its year", m);
    if (!hit) return false;
    finish(m, p, g, j, len);
    return true;
  }

  /// One pair of neighbouring digits swapped in the last group: a typing slip.
  bool lookup_transposed(std::string_view p, std::size_t j, std::size_t len, Mention& m) {
    const std::string last = t_[j + len - 1].text;
    if (last.size() < 3) return false;
    Groups g = groups_of(j, len);
    for (std::size_t k = 0; k + 1 < last.size(); ++k) {
      if (last[k] == last[k + 1]) continue;
      std::string swapped = last;
      std::swap(swapped[k], swapped[k + 1]);
      std::vector<std::string_view> groups = g.stripped;
      groups.back() = strip_zeros(swapped);
      collect(KeyKind::full, p, groups, kFull - kTranspositionPenalty, "document number with two digits swapped", m);
    }
    if (m.hits.empty()) return false;
    g.slips += 1;
    finish(m, p, g, j, len);
    return true;
  }

  void finish(Mention& m, std::string_view p, const Groups& g, std::size_t j, std::size_t len) {
    m.token = p;
    for (std::size_t k = j; k < j + len; ++k) {
      if (!m.token.empty()) m.token += ' ';
      m.token += t_[k].text;
    }
    m.field = field_;
    if (g.slips > 0)
      for (auto& h : m.hits) {
        h.slips = g.slips;
        if (std::string_view(h.how).find("swapped") == std::string_view::npos) {
          h.strength -= kSlipPenalty;
          h.slip_read = true;
        }
      }
  }

  std::size_t try_prefixed(std::size_t i) {
    const std::string_view p = prefix_of(i);
    if (p.empty()) return 0;
    const std::size_t j = skip_fillers(i + 1);
    if (j >= t_.size() || !t_[j].digits) return 0;
    const std::size_t run = run_length(j);
    Mention m;
    for (std::size_t len = run; len >= 1; --len)
      if (lookup_prefixed(p, j, len, m)) return push(std::move(m), j + len - i);
    for (std::size_t len = run; len >= 1; --len)
      if (lookup_transposed(p, j, len, m)) return push(std::move(m), j + len - i);
    return j + run - i;  // the number belongs to this series: never read it without its prefix
  }

  /// The run of digits at `head` may be read without a prefix only when no series word owns it.
  bool bare_allowed(std::size_t head) const {
    if (head == 0 || t_[head].break_before) return true;
    const std::size_t prev = head - 1;
    if (t_[prev].digits) return true;
    if (is_customer_word(prev)) return false;
    if (is_generic(prev)) return !is_customer_context(prev);
    if (!prefix_of(prev).empty()) return false;
    return !t_[head].joined;
  }
  bool is_customer_context(std::size_t filler) const {
    return filler > 0 && is_customer_word(filler - 1);
  }

  /// "2026-03-15", "15.03.2026", "15.03.26": dates are never document numbers.
  bool is_date_at(std::size_t s, std::size_t end) const {
    if (s + 3 > end) return false;
    const auto num = [&](std::size_t k) {
      int v = 0;
      for (char c : t_[k].text) v = v * 10 + (c - '0');
      return t_[k].text.size() <= 4 ? v : 100000;
    };
    const auto len = [&](std::size_t k) { return t_[k].text.size(); };
    const bool ymd = len(s) == 4 && is_year_group(t_[s].text, false) && len(s + 1) <= 2 && num(s + 1) >= 1 &&
                     num(s + 1) <= 12 && len(s + 2) <= 2 && num(s + 2) >= 1 && num(s + 2) <= 31;
    const bool dmy = len(s) <= 2 && num(s) >= 1 && num(s) <= 31 && len(s + 1) <= 2 && num(s + 1) >= 1 &&
                     num(s + 1) <= 12 && (len(s + 2) == 2 || (len(s + 2) == 4 && is_year_group(t_[s + 2].text, false)));
    return ymd || dmy;
  }

  std::size_t try_bare(std::size_t head) {
    const std::size_t run = run_length(head);
    if (!bare_allowed(head)) return run;
    for (std::size_t s = head; s < head + run; ++s) {
      if (is_date_at(s, head + run)) {
        s += 2;
        continue;
      }
      for (std::size_t len = std::min<std::size_t>(4, head + run - s); len >= 1; --len) {
        const Groups g = groups_of(s, len);
        if (g.joined.front().size() < kMinBareDigits) continue;
        const std::vector<std::string_view>& joined = g.joined;
        Mention m;
        const bool hit = collect(KeyKind::full, "", g.stripped, kFull, "document number", m) ||
                         collect(KeyKind::concat, "", joined, kConcat, "document number written together", m) ||
                         collect(KeyKind::bare_full, "", g.stripped, kBare, "document number without series prefix", m) ||
                         collect(KeyKind::bare_concat, "", joined, kBare - 2, "document number without series prefix", m);
        if (!hit) continue;
        finish(m, "", g, s, len);
        push(std::move(m), 0);
        s += len - 1;
        break;
      }
    }
    return run;
  }

  std::size_t push(Mention m, std::size_t used) {
    out_.mentions.push_back(std::move(m));
    return used;
  }

  const ItemIndex& index_;
  const char* field_;
  TextFindings& out_;
  std::vector<Token>& t_;
  std::vector<const WordClass*>& cls_;
  ScanScratch& scratch_;
};

bool usable(const std::optional<std::string>& s) {
  return s && !s->empty() && !text::iequals_ascii(text::trim(*s), "NOTPROVIDED");
}

void scan_creditor_references(const ItemIndex& index, std::string_view text, const char* field, TextFindings& out) {
  bool has_rf = false;  // cheap pre-check: every reference starts with "RF"
  for (std::size_t i = 0; i + 1 < text.size() && !has_rf; ++i)
    has_rf = (text[i] == 'R' || text[i] == 'r') && (text[i + 1] == 'F' || text[i + 1] == 'f');
  if (!has_rf) return;
  for (const auto& rf : domain::find_creditor_references(text)) {
    const auto items = index.find_creditor_reference(rf);
    if (items.empty()) continue;
    Mention m{{}, rf, field};
    for (auto item : items) m.hits.push_back({item, kCreditorReference, 0, "creditor reference"});
    out.mentions.push_back(std::move(m));
  }
}

void scan_field(const ItemIndex& index, const std::optional<std::string>& text, const char* field, TextFindings& out) {
  if (!usable(text)) return;
  scan_creditor_references(index, *text, field, out);
  // Every number the scanner reads has an ASCII digit (slip letters count only next to one).
  if (std::none_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) return;
  thread_local ScanScratch scratch;
  Scanner(index, field, out, scratch).scan(*text);
}

/// The same item cited in two fields (remittance and end-to-end id) is one citation.
void merge_mentions(TextFindings& out) {
  if (out.mentions.size() < 2) return;  // nothing to merge
  std::vector<Mention> merged;
  for (auto& m : out.mentions) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](const Mention& x) {
      if (x.hits.size() != m.hits.size()) return false;
      for (std::size_t k = 0; k < x.hits.size(); ++k)
        if (x.hits[k].item != m.hits[k].item) return false;
      return true;
    });
    if (same == merged.end()) {
      merged.push_back(std::move(m));
      continue;
    }
    for (std::size_t k = 0; k < m.hits.size(); ++k)
      if (m.hits[k].strength > same->hits[k].strength) same->hits[k] = m.hits[k];
  }
  out.mentions = std::move(merged);
}

}  // namespace

TextFindings scan_entry_text(const ItemIndex& index, const domain::Entry& entry) {
  TextFindings out;
  scan_entry_text(index, entry, out);
  return out;
}

void scan_entry_text(const ItemIndex& index, const domain::Entry& entry, TextFindings& out) {
  out.mentions.clear();
  out.customer_partners.clear();
  out.customer_token.clear();
  scan_field(index, entry.structured_reference, "structured_reference", out);
  scan_field(index, entry.end_to_end_id, "end_to_end_id", out);
  scan_field(index, entry.remittance, "remittance", out);
  for (const auto& d : entry.details) {
    scan_field(index, d.structured_reference, "structured_reference", out);
    scan_field(index, d.end_to_end_id, "end_to_end_id", out);
    scan_field(index, d.remittance, "remittance", out);
  }
  merge_mentions(out);
}

}  // namespace bankrec::reconcile
