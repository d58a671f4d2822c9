// reconcile_quality: generates a day, runs the engine, and scores its decisions against the truth.
//   reconcile_quality [--lines N] [--items N] [--seed S] [--source direct|camt|mt940] [--out DIR] [--check]
//                     [--decisions FILE]  (every decision as JSON Lines, to diff two builds)
// --source camt/mt940 parses the written file with the real parsers; --check exits 1 when a target is missed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "bankrec/formats/format_registry.h"
#include "bankrec/reconcile/decision_json.h"
#include "bankrec/reconcile/engine.h"
#include "day_generator.h"

namespace bench = bankrec::reconcile::bench;
namespace rc = bankrec::reconcile;

namespace {

struct Args {
  bench::DayOptions day;
  std::string source = "direct";
  std::string out;
  std::string show;  ///< print up to 5 lines of this case that were not auto-matched correctly
  std::string decisions;  ///< write every decision (with features) as JSON Lines here, to compare runs
  bool check = false;
};

struct Tally {
  int lines = 0, certain = 0, auto_correct = 0, auto_wrong = 0, suggest = 0, none = 0, top1_total = 0, top1_hit = 0;
  int certain_auto = 0;
};

std::vector<std::string> item_set(const std::vector<rc::Application>& matches) {
  std::vector<std::string> ids;
  for (const auto& m : matches) ids.push_back(m.item_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool fits(const bench::Truth& t, const std::vector<rc::Application>& matches, const std::optional<rc::WriteOff>& w) {
  if (!t.account.empty()) return matches.empty() && w && w->account == t.account;
  const auto ids = item_set(matches);
  return !ids.empty() && std::find(t.item_sets.begin(), t.item_sets.end(), ids) != t.item_sets.end();
}

void score(const bench::Truth& t, const rc::Decision& d, Tally& tally) {
  ++tally.lines;
  tally.certain += t.certain;
  const bool has_answer = !t.item_sets.empty() || !t.account.empty();
  if (d.kind == rc::DecisionKind::automatic) {
    const bool ok = !t.no_auto && fits(t, d.matches, d.writeoff);
    (ok ? tally.auto_correct : tally.auto_wrong)++;
    if (ok && t.certain) ++tally.certain_auto;
    return;
  }
  (d.kind == rc::DecisionKind::suggest ? tally.suggest : tally.none)++;
  if (!has_answer || (t.no_auto && t.item_sets.empty())) return;
  ++tally.top1_total;
  if (!d.suggestions.empty() && fits(t, d.suggestions.front().matches, d.suggestions.front().writeoff)) ++tally.top1_hit;
}

double pct(int a, int b) { return b == 0 ? 100.0 : 100.0 * a / b; }

/// Percentages over an empty set print as "-".
std::string cell(int a, int b) {
  if (b == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", pct(a, b));
  return buf;
}

void print_row(const std::string& name, const Tally& t) {
  std::printf("%-44s %6d %6d %8s %6d %6d %6d %6d %8s\n", name.c_str(), t.lines, t.certain,
              cell(t.certain_auto, t.certain).c_str(), t.auto_correct, t.auto_wrong, t.suggest, t.none,
              cell(t.top1_hit, t.top1_total).c_str());
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    const auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (k == "--lines") a.day.lines = std::stoul(value());
    else if (k == "--items") a.day.items = std::stoul(value());
    else if (k == "--seed") a.day.seed = std::stoull(value());
    else if (k == "--source") a.source = value();
    else if (k == "--out") a.out = value();
    else if (k == "--check") a.check = true;
    else if (k == "--show") a.show = value();
    else if (k == "--decisions") a.decisions = value();
    else return false;
  }
  return a.source == "direct" || a.source == "camt" || a.source == "mt940";
}

void write(const std::filesystem::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

/// The statement from the written file through the real parser, or an error text.
std::optional<bankrec::domain::Statement> parse_written(const std::string& bytes, const std::string& name, std::string& error) {
  bankrec::formats::FormatRegistry registry;
  bankrec::formats::register_builtin_formats(registry);
  const auto input = bankrec::as_bytes(bytes);
  const auto* spec = registry.detect(input);
  if (spec == nullptr) {
    error = name + ": no parser recognises the file yet";
    return std::nullopt;
  }
  bankrec::formats::ParseOptions options;
  options.file_name = name;
  auto out = bankrec::formats::parse_collect(*spec, input, options);
  if (!out || out->statements.size() != 1) {
    error = name + ": " + (out ? "expected one statement" : out.error().describe());
    return std::nullopt;
  }
  return std::move(out->statements.front());
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr, "usage: reconcile_quality [--lines N] [--items N] [--seed S] [--source direct|camt|mt940] [--out DIR] [--decisions FILE] [--check]\n");
    return 2;
  }
  const bench::Day day = bench::generate_day(args.day);
  const std::string camt = bench::write_camt053(day), mt940 = bench::write_mt940(day);
  if (!args.out.empty()) {
    std::filesystem::create_directories(args.out);
    write(std::filesystem::path(args.out) / "open_items.csv", bench::write_open_items_csv(day));
    write(std::filesystem::path(args.out) / "day.camt053.xml", camt);
    write(std::filesystem::path(args.out) / "day.mt940.sta", mt940);
    write(std::filesystem::path(args.out) / "truth.jsonl", bench::write_truth_jsonl(day));
  }
  std::optional<bankrec::domain::Statement> statement = bench::to_statement(day);
  if (args.source != "direct") {
    std::string error;
    statement = parse_written(args.source == "camt" ? camt : mt940, "day." + args.source, error);
    if (!statement) {
      std::fprintf(stderr, "reconcile_quality: %s\n", error.c_str());
      return 1;
    }
    if (statement->entries.size() != day.lines.size()) {
      std::fprintf(stderr, "reconcile_quality: parser gave %zu entries for %zu lines\n", statement->entries.size(), day.lines.size());
      return 1;
    }
  }
  auto engine = rc::Engine::create(day.items, rc::default_rule_set());
  if (!engine) {
    std::fprintf(stderr, "reconcile_quality: %s\n", engine.error().describe().c_str());
    return 1;
  }
  std::vector<rc::EntryRef> refs;
  for (std::uint32_t i = 0; i < statement->entries.size(); ++i) refs.push_back({&statement->entries[i], "day", 0, i});
  const auto start = std::chrono::steady_clock::now();
  const auto decisions = engine->run(refs);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  if (!args.decisions.empty()) {
    std::ofstream f(args.decisions, std::ios::binary);
    for (std::size_t i = 0; i < decisions.size(); ++i)
      f << rc::decision_to_json(refs[i], decisions[i], /*with_features=*/true) << '\n';
  }
  int shown = 0;
  for (std::size_t i = 0; i < decisions.size() && !args.show.empty() && shown < 5; ++i) {
    const auto& t = day.lines[i].truth;
    if (t.case_name != args.show || (decisions[i].kind == rc::DecisionKind::automatic && fits(t, decisions[i].matches, decisions[i].writeoff)))
      continue;
    ++shown;
    const auto& e = statement->entries[i];
    std::printf("line %zu: '%s' from '%s' %s; expected %s\n  %s\n", i, e.remittance.value_or("").c_str(),
                e.counterparty.name.value_or("").c_str(), e.counterparty.iban.value_or("").c_str(),
                t.item_sets.empty() ? t.account.c_str() : t.item_sets.front().front().c_str(),
                rc::decision_to_json(refs[i], decisions[i], /*with_features=*/true).c_str());
    for (const auto& set : t.item_sets)
      for (const auto& id : set)
        for (const auto& item : day.items)
          if (item.id == id) std::printf("  item %s %s %s '%s' %s\n", id.c_str(), item.document_number.c_str(),
                                         item.amount.to_string().c_str(), item.partner_name.c_str(), item.partner_id.c_str());
  }
  std::map<std::string, Tally> per_case;
  Tally all;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    score(day.lines[i].truth, decisions[i], per_case[day.lines[i].truth.case_name]);
    score(day.lines[i].truth, decisions[i], all);
  }
  std::printf("source %s, %zu lines, %zu open items, seed %llu, engine %.1f ms\n", args.source.c_str(), day.lines.size(),
              day.items.size(), static_cast<unsigned long long>(args.day.seed), ms);
  std::printf("%-44s %6s %6s %8s %6s %6s %6s %6s %8s\n", "case", "lines", "certn", "auto%", "auto+", "auto-", "sugg",
              "none", "top1");
  for (const auto& [name, t] : per_case) print_row(name, t);
  print_row("ALL", all);
  const double auto_rate = pct(all.certain_auto, all.certain);
  const double precision = pct(all.auto_correct, all.auto_correct + all.auto_wrong);
  const double top1 = pct(all.top1_hit, all.top1_total);
  std::printf("auto rate %.2f%% (target >= 97), precision %.3f%% (target >= 99.9), top-1 %.1f%% (target >= 90)\n",
              auto_rate, precision, top1);
  if (args.check && (auto_rate < 97.0 || precision < 99.9 || top1 < 90.0)) return 1;
  return 0;
}
