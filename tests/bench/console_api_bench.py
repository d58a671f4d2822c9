#!/usr/bin/env python3
"""Times every console API call the pages make, through a real bankrecd over HTTPS (issue 8: "pages
load fast with 10 million entries in the database").

Usage:
  console_api_bench.py --data-dir DIR [--bankrecd PATH] [--bankrec PATH] [--runs N] [--only TEXT] [--browser]

DIR is a bankrec data dir, e.g. one built by
  build/tests/store/bench_console_pages --entries 100000 --replicate-to 10000000 --dir DIR --build-only
The script adds a viewer and an admin (TOTP enrolled through the CLI) unless they exist, starts
bankrecd on a free loopback port with that data dir, signs both in, and for each call prints the
first request's time after the daemon started ("cold": SQLite's page cache is empty, the OS cache is
whatever it is) and the median of --runs more ("warm"), as the client sees it: TLS on one kept-alive
connection, request, the whole JSON body. Cursor pages follow the `next` cursor the API returns.
Standard library only (Debian's python3).
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import ssl
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

PASSWORD = "Kaffeetasse+Regenschirm"


def totp(secret: bytes, step: int) -> str:
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 0xF
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def cli(args, bankrec, data_dir, stdin=""):
    return subprocess.run([bankrec, "--data-dir", data_dir] + args, input=stdin, capture_output=True, text=True)


def ensure_users(bankrec, data_dir, secret_file):
    listed = cli(["user", "list"], bankrec, data_dir).stdout
    if "bench-viewer" not in listed:
        r = cli(["user", "add", "bench-viewer", "--role", "viewer"], bankrec, data_dir, PASSWORD + "\n")
        if r.returncode != 0:
            sys.exit("user add: " + r.stdout + r.stderr)
    if "bench-admin" in listed and os.path.exists(secret_file):
        return base64.b32decode(open(secret_file).read().strip())
    if "bench-admin" not in listed:
        r = cli(["user", "add", "bench-admin", "--role", "admin"], bankrec, data_dir, PASSWORD + "\n")
        if r.returncode != 0:
            sys.exit("user add: " + r.stdout + r.stderr)
    p = subprocess.Popen([bankrec, "--data-dir", data_dir, "user", "totp", "bench-admin"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    secret = None
    for line in p.stdout:
        if line.startswith("otpauth://"):
            q = urllib.parse.parse_qs(urllib.parse.urlparse(line.strip()).query)
            b32 = q["secret"][0]
            secret = base64.b32decode(b32 + "=" * (-len(b32) % 8))
            p.stdin.write(totp(secret, int(time.time()) // 30) + "\n")  # this step's code is used now
            p.stdin.close()
            break
    out = p.stdout.read()
    if p.wait() != 0 or secret is None:
        sys.exit("user totp: " + out)
    with open(secret_file, "w") as f:
        f.write(base64.b32encode(secret).decode())
    with open(os.path.join(os.path.dirname(secret_file), "bench-admin.step"), "w") as f:
        f.write(str(int(time.time()) // 30))
    return secret


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Client:
    def __init__(self, port, ca, secret_file=None):
        self.secret_file = secret_file
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False  # the self-signed certificate names localhost; we connect to 127.0.0.1
        self.conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=600)
        self.cookie = self.csrf = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        t0 = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        ms = (time.perf_counter() - t0) * 1000
        return r.status, data, ms, r.getheader("Set-Cookie")

    def login(self, name, secret=None):
        body = {"name": name, "password": PASSWORD}
        if secret is not None:
            # A code is accepted once: after enrolment (or an earlier run) wait for a fresh 30 s step.
            used = os.path.join(os.path.dirname(self.secret_file), "bench-admin.step") if self.secret_file else None
            last = int(open(used).read()) if used and os.path.exists(used) else 0
            while int(time.time()) // 30 <= last:
                time.sleep(1)
            step = int(time.time()) // 30
            body["totp"] = totp(secret, step)
            if used:
                with open(used, "w") as f:
                    f.write(str(step))
        status, data, _, cookie = self.call("POST", "/api/v1/auth/login", body)
        if status != 200:
            sys.exit("login %s: %d %s" % (name, status, data[:300]))
        self.cookie = cookie.split(";")[0]
        self.csrf = json.loads(data)["csrf_token"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(here, "..", "..", "build")
    ap.add_argument("--bankrecd", default=os.path.join(build, "daemon", "bankrecd", "bankrecd"))
    ap.add_argument("--bankrec", default=os.path.join(build, "daemon", "cli", "bankrec"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--browser", action="store_true",
                    help="also time every page in Chromium (console_pages_browser.mjs, as bench-viewer)")
    a = ap.parse_args()
    data = os.path.abspath(a.data_dir)
    secret = ensure_users(a.bankrec, data, os.path.join(data, "bench-admin.totp"))

    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bankrecd-bench-", suffix=".log", delete=False)
    t0 = time.perf_counter()
    daemon = subprocess.Popen([a.bankrecd, "--data-dir", data, "--listen",
                               "127.0.0.1:%d" % port], stdout=log, stderr=log)
    try:
        while True:
            if daemon.poll() is not None:
                sys.exit("bankrecd exited: " + open(log.name).read()[-2000:])
            if "listening on" in open(log.name, errors="replace").read():
                break
            time.sleep(0.05)
        print("bankrecd ready in %.2f s (log %s)" % (time.perf_counter() - t0, log.name))
        ca = os.path.join(data, "tls", "cert.pem")
        viewer, admin = Client(port, ca), Client(port, ca, os.path.join(data, "bench-admin.totp"))
        viewer.login("bench-viewer")
        admin.login("bench-admin", secret)

        st, body, _, _ = viewer.call("GET", "/api/v1/statements?limit=1")
        first = json.loads(body)["items"][0] if st == 200 and json.loads(body).get("items") else None
        account = first["account_iban"] if first else ""
        st, body, _, _ = viewer.call("GET", "/api/v1/entries?limit=1")
        entry = json.loads(body)["items"][0]["id"]
        today = time.strftime("%Y-%m-%d")
        month_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400))
        q = urllib.parse.quote
        calls = [
            ("viewer", "dashboard", "/api/v1/dashboard"),
            ("viewer", "statements", "/api/v1/statements?limit=50"),
            ("viewer", "statements of one account", "/api/v1/statements?limit=50&account=" + account),
            ("viewer", "statements with status error", "/api/v1/statements?limit=50&status=error"),
            ("viewer", "statement detail", "/api/v1/statements/%d" % first["id"]),
            ("viewer", "entries of the statement", "/api/v1/entries?limit=50&statement=%d" % first["id"]),
            ("viewer", "transactions", "/api/v1/entries?limit=50"),
            ("viewer", "transactions pages 1-10 (cursor)", "CURSOR10 /api/v1/entries?limit=50"),
            ("viewer", "transactions of one account", "/api/v1/entries?limit=50&account=" + account),
            ("viewer", "transactions in review", "/api/v1/entries?limit=50&status=review"),
            ("viewer", "transactions last 30 days", "/api/v1/entries?limit=50&from=%s&to=%s" % (month_ago, today)),
            ("viewer", "transactions 1000.00 to 1000.99", "/api/v1/entries?limit=50&min=1000.00&max=1000.99"),
            ("viewer", "transactions by amount desc", "/api/v1/entries?limit=50&sort=-amount"),
            ("viewer", "transactions oldest first", "/api/v1/entries?limit=50&sort=booking_date"),
            ("viewer", "search müller", "/api/v1/entries?limit=50&q=" + q("müller")),
            ("viewer", "search miete", "/api/v1/entries?limit=50&q=miete"),
            ("viewer", "search miete pages 1-5 (cursor)", "CURSOR5 /api/v1/entries?limit=50&q=miete"),
            ("viewer", "search gehalt januar", "/api/v1/entries?limit=50&q=" + q("gehalt januar")),
            ("viewer", "search schröder hans", "/api/v1/entries?limit=50&q=" + q("schröder hans")),
            ("viewer", "search RE-2024-4711", "/api/v1/entries?limit=50&q=RE-2024-4711"),
            ("viewer", "search müller, one account, review",
             "/api/v1/entries?limit=50&status=review&account=%s&q=%s" % (account, q("müller"))),
            ("viewer", "search IBAN DE89 3704", "/api/v1/entries?limit=50&q=" + q("DE89 3704")),
            ("viewer", "transaction detail", "/api/v1/entries/%d" % entry),
            ("viewer", "review queue", "/api/v1/review?limit=50"),
            ("viewer", "review line", "REVIEW1"),
            ("viewer", "open items", "/api/v1/open-items?limit=50"),
            ("viewer", "errors", "/api/v1/errors?limit=50"),
            ("viewer", "jobs", "/api/v1/jobs?limit=50"),
            ("viewer", "alerts", "/api/v1/alerts?limit=50"),
            ("viewer", "connectors", "/api/v1/connectors"),
            ("viewer", "rules", "/api/v1/rules"),
            ("admin", "audit log", "/api/v1/audit?limit=50"),
            ("admin", "audit log pages 1-10 (cursor)", "CURSOR10 /api/v1/audit?limit=50"),
            ("admin", "audit log of one actor", "/api/v1/audit?limit=50&actor=anna"),
            ("admin", "audit log of one entry", "/api/v1/audit?limit=50&object=entry:%d" % entry),
            ("admin", "audit chain status", "/api/v1/audit/verify"),
            ("admin", "users", "/api/v1/users"),
            ("admin", "settings", "/api/v1/settings"),
            ("admin", "api tokens", "/api/v1/tokens"),
        ]
        clients = {"viewer": viewer, "admin": admin}

        def run(client, what):
            """One request (or a cursor walk); returns (ms, status, items of the last page)."""
            if what == "REVIEW1":
                st, body, ms, _ = client.call("GET", "/api/v1/review?limit=1")
                items = json.loads(body).get("items", [])
                if not items:
                    return ms, st, 0
                st, body, ms, _ = client.call("GET", "/api/v1/review/%d" % items[0]["entry"]["id"])
                return ms, st, 1
            pages = 1
            if what.startswith("CURSOR"):
                pages, what = what.split(" ", 1)
                pages = int(pages[6:])
            total, path = 0.0, what
            for _ in range(pages):
                st, body, ms, _ = client.call("GET", path)
                total += ms
                if st != 200:
                    return total, st, 0
                doc = json.loads(body)
                n = len(doc["items"]) if isinstance(doc, dict) and "items" in doc else 1
                nxt = doc.get("next") if isinstance(doc, dict) else None
                if not nxt:
                    break
                path = what + "&after=" + q(nxt)
            return total, st, n

        print("%-40s %6s %9s %9s %5s" % ("call (page of 50)", "role", "first ms", "warm ms", "rows"))
        for role, name, what in calls:
            if a.only and a.only not in name:
                continue
            cold, st, n = run(clients[role], what)
            warm = [run(clients[role], what)[0] for _ in range(a.runs)]
            print("%-40s %6s %9.1f %9.1f %5s%s" % (name, role, cold, statistics.median(warm), n,
                                                  "" if st == 200 else "  HTTP %d" % st))
            sys.stdout.flush()
        if a.browser:
            sys.stdout.flush()
            subprocess.run(["node", os.path.join(here, "console_pages_browser.mjs"), "https://127.0.0.1:%d" % port,
                            "bench-viewer", PASSWORD, str(a.runs)], check=True)
        ps = subprocess.run(["ps", "-o", "rss=", "-p", str(daemon.pid)], capture_output=True, text=True).stdout
        print("bankrecd resident memory afterwards: %.0f MB" % (int(ps.strip() or 0) / 1024))
    finally:
        daemon.terminate()
        daemon.wait(60)


if __name__ == "__main__":
    main()
