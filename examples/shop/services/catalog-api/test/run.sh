#!/bin/sh
# Smoke test for catalog-api.
#
# Runs inside the image (`docker run --rm shop/catalog-api:dev sh /test/run.sh`,
# which is what Convoy does via package.json "convoy.test") or on a host with
# busybox installed (`npm test` in this folder). It starts a private httpd on
# 127.0.0.1:$TEST_PORT serving ../www, queries the endpoints and checks the
# JSON. Exits non-zero if any check fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
www=$(cd "$here/../www" && pwd)
port=${TEST_PORT:-18181}
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

all=$(fetch /cgi-bin/products) || { fail "GET /cgi-bin/products failed"; all=''; }
expect_contains "products is a JSON object" "$all" '{"currency":"EUR","vat_percent":20,"products":['
expect_contains "products count" "$all" '"count":6}'
expect_contains "sencha gross price has 20% VAT" "$all" '"sku":"TEA-001","name":"Sencha green tea 100g","category":"tea","net_cents":1200,"vat_cents":240,"gross_cents":1440}'
expect_contains "VAT rounds half up" "$all" '"net_cents":899,"vat_cents":180,"gross_cents":1079}'

tea=$(fetch '/cgi-bin/products?category=tea') || { fail "GET /cgi-bin/products?category=tea failed"; tea=''; }
expect_contains "category filter keeps tea" "$tea" '"count":3}'
expect_missing "category filter drops coffee" "$tea" '"category":"coffee"'

one=$(fetch '/cgi-bin/product?sku=COF-001') || { fail "GET /cgi-bin/product?sku=COF-001 failed"; one=''; }
expect_contains "single product lookup" "$one" '"sku":"COF-001"'
expect_contains "single product price" "$one" '"gross_cents":2940}'

if fetch '/cgi-bin/product?sku=NOPE' >/dev/null 2>&1; then
  fail "unknown sku should not return 2xx"
else
  pass "unknown sku is an error"
fi

if [ "$failures" -gt 0 ]; then
  echo "catalog-api: $failures check(s) failed"
  exit 1
fi
echo "catalog-api: all checks passed"
