#!/bin/sh
# Smoke test for storefront.
#
# Runs inside the image (`docker run --rm shop/storefront:dev sh /test/run.sh`,
# which is what Convoy does via package.json "convoy.test") or on a host with
# busybox installed (`npm test` in this folder). It starts a private httpd on
# 127.0.0.1:$TEST_PORT serving ../www and checks the static assets.
# Exits non-zero if any check fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
www=$(cd "$here/../www" && pwd)
port=${TEST_PORT:-18183}
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

index=$(fetch /) || { fail "GET / failed"; index=''; }
expect_contains "index has the shop title" "$index" '<title>Shop</title>'
expect_contains "index loads app.js" "$index" '<script src="/app.js"></script>'
expect_contains "index has the products table" "$index" 'id="products"'

app=$(fetch /app.js) || { fail "GET /app.js failed"; app=''; }
expect_contains "app.js reads config.json" "$app" "getJson('/config.json')"
expect_contains "app.js renders gross prices" "$app" 'p.gross_cents'

config=$(fetch /config.json) || { fail "GET /config.json failed"; config=''; }
expect_contains "config points at catalog-api" "$config" '"catalogUrl": "http://catalog-api/cgi-bin/products"'
expect_contains "config points at orders-api" "$config" '"ordersUrl": "http://orders-api/cgi-bin/orders'

css=$(fetch /style.css) || { fail "GET /style.css failed"; css=''; }
expect_contains "stylesheet served" "$css" 'border-collapse'

if fetch /no-such-page.html >/dev/null 2>&1; then
  fail "missing page should be a 404"
else
  pass "missing page is a 404"
fi

if [ "$failures" -gt 0 ]; then
  echo "storefront: $failures check(s) failed"
  exit 1
fi
echo "storefront: all checks passed"
