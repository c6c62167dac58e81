#!/usr/bin/env bash
# Shows `convoy affected` on the bundled example: copies examples/shop into a scratch git repository,
# commits it on main, changes lib-pricing on a feature branch, and asks Convoy what that affects.
# Usage: bash scripts/demo-affected.sh [--json]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/convoy-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cp -R "$repo/examples/shop/." "$work/"
cd "$work"
git init -q -b main
git add -A
git -c user.name=convoy-demo -c user.email=demo@convoy.invalid commit -qm "shop: initial import"
git checkout -q -b feature
printf '\n// Demo change: round half-cents up.\n' >> libs/lib-pricing/src/price.js
git -c user.name=convoy-demo -c user.email=demo@convoy.invalid commit -qam "lib-pricing: rounding note"

echo "\$ convoy affected --workspace <copy of examples/shop> --base main --head feature $*"
node "$repo/bin/convoy.mjs" affected --workspace "$work" --base main --head feature --data "$work/.convoy-data" "$@"
