#!/usr/bin/env bash
# The main job on the bundled example, as far as it goes today: copies examples/shop into a scratch git
# repository, commits it on main, changes lib-pricing on a feature branch, asks Convoy what that
# affects and why, then builds and tests the affected services in the local Docker Engine.
# The images stay in the engine (shop/<service>:<content hash>), so a second run makes no build.
# Usage: bash scripts/demo.sh [--json]     (--json: the affected set as JSON, and no build)
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

convoy() { node "$repo/bin/convoy.mjs" "$@" --data "$work/.convoy-data"; }

echo "\$ convoy affected --workspace <copy of examples/shop> --base main --head feature $*"
convoy affected --workspace "$work" --base main --head feature "$@"
[[ " $* " == *" --json "* ]] && exit 0

echo
echo "\$ convoy build --workspace <copy of examples/shop> --base main --head feature"
if ! docker info >/dev/null 2>&1 && [[ -z "${DOCKER_HOST:-}" ]]; then
  echo "(skipped: no Docker Engine answers; start it, or run bash .ci/run, to see the build)"
  exit 0
fi
convoy build --workspace "$work" --base main --head feature
