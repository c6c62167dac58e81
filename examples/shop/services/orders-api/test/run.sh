#!/bin/sh
# Smoke test for orders-api.
#
# Runs inside the image (`docker run --rm shop/orders-api:dev sh /test/run.sh`,
# which is what Convoy does via package.json "convoy.test") or on a host with
# busybox installed (`npm test` in this folder). It starts a private httpd on
# 127.0.0.1:$TEST_PORT serving ../www, queries the endpoints and checks the
# JSON. Exits non-zero if any check fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
www=$(cd "$here/../www" && pwd)
port=${TEST_PORT:-18182}
base="http://127.0.0.1:$port"

# Use the applets directly when they are on PATH (inside the image), else via
# busybox. (wget's own -T flag crashes some static busybox builds, hence timeout.)
if command -v wget >/dev/null 2>&1; then wget='wget'; else wget='busybox wget'; fi
fetch() { timeout 10 $wget -q -O - "$base$1"; }

failures=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
expect_contains() { # name body needle
  case "$2" in *"$3"*) pass "$1" ;; *) fail "$1: expected to find $3 in: $2" ;; esac
}
expect_missing() { # name body needle
  case "$2" in *"$3"*) fail "$1: did not expect $3 in: $2" ;; *) pass "$1" ;; esac
}

# Start httpd directly (not through a function) so $! is the server's own pid.
if command -v httpd >/dev/null 2>&1; then
  httpd -f -p "127.0.0.1:$port" -h "$www" &
else
  busybox httpd -f -p "127.0.0.1:$port" -h "$www" &
fi
httpd_pid=$!
trap 'kill "$httpd_pid" 2>/dev/null || true' EXIT INT TERM

ready=0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  if fetch /healthz >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.25
done
[ "$ready" = 1 ] || { echo "FAIL httpd did not come up on $base"; exit 1; }

health=$(fetch /healthz)
[ "$health" = ok ] && pass "healthz" || fail "healthz: got '$health'"

all=$(fetch /cgi-bin/orders) || { fail "GET /cgi-bin/orders failed"; all=''; }
expect_contains "orders is a JSON object" "$all" '{"currency":"EUR","vat_percent":20,"orders":['
expect_contains "orders count" "$all" '"count":4}'
expect_contains "shipped order listed" "$all" '"id":"ORD-1001","customer":"c-042","status":"shipped"'
expect_contains "ORD-1001 totals (VAT per line)" "$all" '"net_cents":5399,"vat_cents":1080,"total_cents":6479}'
expect_contains "line gross price" "$all" '{"sku":"TEA-002","quantity":3,"unit_net_cents":899,"unit_gross_cents":1079}'

open=$(fetch '/cgi-bin/orders?status=open') || { fail "GET /cgi-bin/orders?status=open failed"; open=''; }
expect_contains "status filter keeps open orders" "$open" '"count":2}'
expect_contains "ORD-1003 totals" "$open" '"net_cents":3347,"vat_cents":670,"total_cents":4017}'
expect_missing "status filter drops shipped orders" "$open" '"status":"shipped"'

if fetch '/cgi-bin/orders?status=bogus' >/dev/null 2>&1; then
  fail "invalid status should not return 2xx"
else
  pass "invalid status is rejected"
fi

if [ "$failures" -gt 0 ]; then
  echo "orders-api: $failures check(s) failed"
  exit 1
fi
echo "orders-api: all checks passed"
