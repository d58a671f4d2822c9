#!/usr/bin/env bash
# The README's demo: installs dependencies, builds bankrec, starts `bankrec-sandbox` (a local fake
# bank that speaks Berlin Group XS2A over TLS with seeded German data), makes a fresh data dir whose
# bankrec.yaml has a connector for that bank, authorises the bank consent (this script plays the
# browser), imports the demo's open items, and runs `bankrecd` in the foreground: it fetches the
# bank's transactions every 10 minutes, imports and reconciles them, and serves the web console,
# /healthz, /readyz and /metrics on https://localhost:8443 (the script makes two console users and
# prints their passwords). Ctrl-C stops the daemon and the sandbox.
#
#   BANKREC_DEMO_DIR   where the demo lives (default $TMPDIR/bankrec-demo, /tmp without TMPDIR; emptied first)
#   BANKREC_DEMO_ONCE  set to 1 to stop after the first fetch and reconciliation (a quick check)
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target bankrec bankrecd bankrec-sandbox console
bin=$PWD/build/daemon
demo=${BANKREC_DEMO_DIR:-${TMPDIR:-/tmp}/bankrec-demo}
case "$demo" in /|"") echo "demo.sh: refusing BANKREC_DEMO_DIR='$demo'" >&2; exit 2 ;; esac
rm -rf "$demo"
mkdir -p "$demo"
chmod 700 "$demo"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_line() {  # FILE PATTERN SECONDS
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo.sh: timed out waiting for '$2' in $1" >&2
  return 1
}

echo "== starting bankrec-sandbox (the local fake bank)"
"$bin/sandbox/bankrec-sandbox" --listen 127.0.0.1:8444 --data-dir "$demo/sandbox" \
  >"$demo/sandbox.out" 2>"$demo/sandbox.log" &
pids+=($!)
wait_for_line "$demo/sandbox.out" '^ready' 30
url=$(sed -n 's/^url=//p' "$demo/sandbox.out")
cert=$(sed -n 's/^cert=//p' "$demo/sandbox.out")
echo "   $url (certificate $cert)"

cat >"$demo/bankrec.yaml" <<EOF
# Written by packaging/demo.sh; the documented example of every key is etc/bankrec.yaml.
data_dir: $demo/data
connectors:
  - name: musterbank
    type: xs2a
    base_url: $url/v1
    schedule: every 10m
    history_days: 30
    options:
      client_id: PSDDE-BAFIN-123456
    tls:
      ca_file: $cert
EOF
bankrec() { "$bin/cli/bankrec" --config "$demo/bankrec.yaml" --data-dir "$demo/data" "$@"; }

echo "== bankrec init, open items"
bankrec init
bankrec open-items import tests/fixtures/demo/open-items.csv

echo "== console users (an accountant; an admin who enrols two-factor sign-in at the first login)"
demo_password="kasse-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
admin_password="tresor-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "$demo_password" | bankrec user add demo --role accountant
echo "$admin_password" | bankrec user add admin --role admin

echo "== bankrec connector consent musterbank (the script opens the bank's page like a browser)"
bankrec connector consent musterbank --timeout 60 >"$demo/consent.out" 2>"$demo/consent.log" &
consent_pid=$!
wait_for_line "$demo/consent.out" '^https://' 30
auth_url=$(grep '^https://' "$demo/consent.out" | tail -n 1)
callback=$(curl -sS --cacert "$cert" -o /dev/null -w '%{redirect_url}' "$auth_url")
curl -sS -o /dev/null "$callback"
wait "$consent_pid"
grep -v '^https://' "$demo/consent.out" || true

echo "== first fetch and reconciliation (the daemon repeats it every 10 minutes, within the bank's 4 unattended fetches a day)"
bankrec connector sync musterbank
bankrec reconcile
bankrec connector list

if [ -n "${BANKREC_DEMO_ONCE:-}" ]; then
  bankrec audit verify
  exit 0
fi

cat <<EOF

== bankrecd is starting in the foreground (Ctrl-C stops it and the sandbox)
   console:  https://localhost:8443/            (self-signed certificate: $demo/data/tls/)
             user demo  / $demo_password   (accountant: review, upload)
             user admin / $admin_password   (administrator: enrols an authenticator app at the first sign-in)
   health:   https://localhost:8443/readyz
   metrics:  https://localhost:8443/metrics
   the bank: bankrec --config $demo/bankrec.yaml connector log musterbank
   review:   bankrec --config $demo/bankrec.yaml review list

EOF
"$bin/bankrecd/bankrecd" --config "$demo/bankrec.yaml" --data-dir "$demo/data" &
pids+=($!)
wait "${pids[-1]}"
