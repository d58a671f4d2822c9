#!/usr/bin/env bash
# The README's demo: installs dependencies, builds bankrec, and shows it at work on the sample
# statements in tests/fixtures/ — parse (the unified JSON), import into an encrypted database,
# verify the audit chain, and a reconciliation dry run against sample open items.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target bankrec bankrecd bankrec-sandbox
bankrec=build/daemon/cli/bankrec

camt=tests/fixtures/demo/2026-11-20_camt053.xml
mt940=tests/fixtures/demo/2026-11-20.sta
items=tests/fixtures/demo/open-items.csv

echo
echo "== bankrec parse (one JSON object per file; first statement, abridged)"
"$bankrec" parse "$camt" "$mt940" | cut -c1-600
echo

if "$bankrec" help 2>/dev/null | grep -q '^  import'; then
  data=$(mktemp -d -t bankrec-demo.XXXXXX)
  echo "== bankrec init / import / audit verify (data dir $data)"
  "$bankrec" --data-dir "$data" init
  "$bankrec" --data-dir "$data" import "$camt" "$mt940"
  echo "-- importing the same files again adds nothing:"
  "$bankrec" --data-dir "$data" import "$camt" "$mt940"
  "$bankrec" --data-dir "$data" audit verify
  echo
fi

if "$bankrec" help 2>/dev/null | grep -q '^  match'; then
  echo "== bankrec match (dry run of the reconciliation engine)"
  "$bankrec" match "$camt" "$mt940" --open-items "$items"
fi
