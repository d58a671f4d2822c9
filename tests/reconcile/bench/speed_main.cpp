// bench_reconcile: index build and run time for a generated day (default 100,000 lines x 100,000 items).
//   bench_reconcile [--lines N] [--items N] [--seed S] [--hub N]
// --hub N adds a second case: one partner with N open items and 1,000 lines from that partner
// without a document number, whose amounts no item has (so the bounded subset-sum search runs on
// every line, most of them to its step budget).
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include <sys/resource.h>

#include "bankrec/base/huge_pages.h"
#include "bankrec/reconcile/engine.h"
#include "day_generator.h"

namespace bench = bankrec::reconcile::bench;
namespace rc = bankrec::reconcile;

namespace {

/// One partner with `n` open items; 1,000 payments from it that cite nothing and fit no item or
/// combination exactly (every item is a multiple of 7 cents, every amount 3 cents more than one).
template <class CpuMs>
int hub_case(std::size_t n, CpuMs cpu_ms) {
  namespace domain = bankrec::domain;
  const std::string iban = "DE89370400440532013000";
  std::vector<domain::OpenItem> items;
  for (std::size_t i = 0; i < n; ++i) {
    domain::OpenItem item;
    item.id = "HUB-" + std::to_string(i);
    item.partner_id = "H1";
    item.partner_name = "Grosskunde Handels GmbH";
    item.partner_ibans = {iban};
    item.document_number = "RE-2026-" + std::to_string(500000 + i);
    item.amount = domain::Money(static_cast<std::int64_t>(10003 + 7 * i), domain::kEur);
    item.due_date = domain::Date{2026, 3, 20};
    items.push_back(std::move(item));
  }
  std::vector<domain::Entry> entries(1000);
  std::vector<rc::EntryRef> refs;
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    domain::Entry& e = entries[i];
    e.booking_date = domain::Date{2026, 3, 16};
    e.value_date = e.booking_date;
    e.amount = domain::Money(static_cast<std::int64_t>(40001 + 7 * i), domain::kEur);
    e.remittance = "Sammelzahlung";
    e.counterparty.name = "Grosskunde Handels GmbH";
    e.counterparty.iban = iban;
    refs.push_back({&e, "hub", 0, i});
  }
  auto engine = rc::Engine::create(std::move(items), rc::default_rule_set());
  if (!engine) {
    std::fprintf(stderr, "bench_reconcile: %s\n", engine.error().describe().c_str());
    return 1;
  }
  const double c0 = cpu_ms();
  const auto decisions = engine->run(refs);
  const double c1 = cpu_ms();
  std::size_t automatic = 0;
  for (const auto& d : decisions) automatic += d.kind == rc::DecisionKind::automatic;
  std::printf("one partner with %zu open items, %zu lines citing nothing: matching %.1f ms CPU (%.1f us/line); %zu auto\n",
              n, refs.size(), c1 - c0, 1000.0 * (c1 - c0) / static_cast<double>(refs.size()), automatic);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // As bankrecd and bankrec run (base/huge_pages.h); BANKREC_MALLOC_HUGE_PAGES=off measures without.
  bankrec::base::use_malloc_huge_pages(argv);
  bench::DayOptions options;
  options.lines = 100000;
  options.items = 100000;
  std::size_t hub = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--lines") options.lines = std::stoul(argv[i + 1]);
    else if (k == "--items") options.items = std::stoul(argv[i + 1]);
    else if (k == "--seed") options.seed = std::stoull(argv[i + 1]);
    else if (k == "--hub") hub = std::stoul(argv[i + 1]);
  }
  bench::Day day = bench::generate_day(options);
  const auto statement = bench::to_statement(day);
  std::vector<rc::EntryRef> refs;
  for (std::uint32_t i = 0; i < statement.entries.size(); ++i) refs.push_back({&statement.entries[i], "day", 0, i});

  // CPU time of this thread: the figure for "one core", whatever else runs on the machine.
  const auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  // Minor page faults of this thread: memory touched for the first time (a large share of the time
  // on a virtual machine, where each fault is a trip to the hypervisor).
  const auto faults = [] {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<long>(u.ru_minflt);
  };
  using Clock = std::chrono::steady_clock;
  const long f0 = faults();
  const double c0 = cpu_ms();
  const auto t0 = Clock::now();
  const std::size_t item_count = day.items.size();
  auto engine = rc::Engine::create(std::move(day.items), rc::default_rule_set());
  if (!engine) {
    std::fprintf(stderr, "bench_reconcile: %s\n", engine.error().describe().c_str());
    return 1;
  }
  const double c1 = cpu_ms();
  const long f1 = faults();
  const auto decisions = engine->run(refs);
  const auto t2 = Clock::now();
  const double c2 = cpu_ms();
  const long f2 = faults();
  // A second run on the same engine: memory the first run faulted in is reused, so the difference
  // shows what page faults cost on this machine.
  const double c3 = cpu_ms();
  const auto again = engine->run(refs);
  const double c4 = cpu_ms();
  std::size_t automatic = 0;
  for (const auto& d : decisions) automatic += d.kind == rc::DecisionKind::automatic;
  const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("%zu lines x %zu open items, one thread: CPU time index %.1f ms + matching %.1f ms = %.1f ms "
              "(%.2f us/line); wall clock %.1f ms; %zu auto\n",
              refs.size(), item_count, c1 - c0, c2 - c1, c2 - c0, 1000.0 * (c2 - c0) / refs.size(), ms(t0, t2),
              automatic);
  std::printf("second run on the same engine: matching %.1f ms CPU (%zu decisions)\n", c4 - c3, again.size());
  std::printf("page faults (first run): index %ld, matching %ld\n", f1 - f0, f2 - f1);
  return hub == 0 ? 0 : hub_case(hub, cpu_ms);
}
