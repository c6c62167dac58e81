#!/usr/bin/env bash
# Builds the real Kubernetes control plane used by the tests (kube-apiserver, kube-controller-manager,
# kubectl, etcd) from this folder's Go module, once per machine: the binaries are cached under
#   ${CONVOY_KUBE_CLUSTER_CACHE:-~/.cache/convoy/kube-cluster}/<release>-<hash of go.mod, go.sum, cmd/>/bin
# and a second run with the same inputs only prints where they are. Concurrent runs (vitest workers, CI)
# wait on one lock, so the build happens once. Prints the bin directory as its last line.
#
# The build is niced (the machine is shared) and stripped (-trimpath -ldflags='-s -w') to keep CI well
# inside its time. Go's own caches (GOMODCACHE, GOCACHE) are used as configured, so a rebuild after a
# small change is quick.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

release=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' go.mod)
[[ -n "$release" ]] || { echo "kube-cluster build: no k8s.io/kubernetes version in $here/go.mod" >&2; exit 1; }
minor=$(echo "$release" | cut -d. -f2)
# The version the binaries report (/version, `kubectl version`), stamped as Kubernetes' own build does;
# without it they say v0.0.0-master.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$release -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
inputs_hash=$( (cat go.mod go.sum $(find cmd -name '*.go' | LC_ALL=C sort); echo "$ldflags") | sha256sum | cut -c1-12)
cache_root="${CONVOY_KUBE_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/convoy/kube-cluster}"
out="$cache_root/$release-$inputs_hash"
bins=(kube-apiserver kube-controller-manager kubectl etcd)

complete() {
  [[ -f "$out/bin/.complete" ]] || return 1
  local b
  for b in "${bins[@]}"; do [[ -x "$out/bin/$b" ]] || return 1; done
}

mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
if ! flock -n 9; then
  echo "kube-cluster build: another build is running; waiting for it ($cache_root/.build.lock)" >&2
  flock 9
fi

if complete; then
  echo "kube-cluster build: Kubernetes $release cached (0s)" >&2
  echo "$out/bin"
  exit 0
fi

go="${CONVOY_KUBE_CLUSTER_GO:-go}" # which go command; the tests point it at a missing one
command -v "$go" >/dev/null 2>&1 || { echo "kube-cluster build: the go command is missing ($go; Go 1.26 or newer is needed)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
staging="$out/bin.partial"
log="$out/build.log"
mkdir -p "$staging"
echo "kube-cluster build: building Kubernetes $release (kube-apiserver, kube-controller-manager, kubectl, etcd) — log: $log" >&2
start=$SECONDS
flags=(-trimpath "-ldflags=$ldflags")
if ! {
  nice -n 10 "$go" build "${flags[@]}" -o "$staging/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl &&
  nice -n 10 "$go" build "${flags[@]}" -o "$staging/etcd" ./cmd/etcd
} >"$log" 2>&1; then
  echo "kube-cluster build: FAILED after $((SECONDS - start))s; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
touch "$staging/.complete"
mv "$staging" "$out/bin"
echo "kube-cluster build: Kubernetes $release built in $((SECONDS - start))s" >&2
echo "$out/bin"
