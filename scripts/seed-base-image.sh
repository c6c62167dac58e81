#!/usr/bin/env bash
# Make the offline base image for the example services available locally.
#
# The example workspace (examples/shop) builds every service FROM a pinned
# busybox tag. On machines with registry access `docker build` just pulls it;
# on offline machines (CI sandboxes, air-gapped laptops) this script builds an
# equivalent image from the host's static busybox binary (Debian package
# `busybox-static`) and imports it under the same tag.
#
# Behaviour:
#   * image already present            -> nothing to do
#   * CONVOY_TRY_PULL=1                -> try `docker pull` (bounded by a timeout),
#                                         fall back to a local build on failure
#   * otherwise                        -> build from the static busybox binary
#
# Environment:
#   CONVOY_BASE_IMAGE      tag to provide            (default: busybox:1.36.1)
#   CONVOY_TRY_PULL        1 = try pulling first     (default: unset)
#   CONVOY_PULL_TIMEOUT    seconds for the pull      (default: 60)
#   CONVOY_BUSYBOX_BIN     static busybox to embed   (default: /bin/busybox)
set -euo pipefail

BASE_IMAGE="busybox:1.36.1"
BASE_IMAGE="${CONVOY_BASE_IMAGE:-$BASE_IMAGE}"
BUSYBOX_BIN="${CONVOY_BUSYBOX_BIN:-/bin/busybox}"
PULL_TIMEOUT="${CONVOY_PULL_TIMEOUT:-60}"

log() { printf '[seed-base-image] %s\n' "$*"; }
die() { printf '[seed-base-image] error: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found in PATH"
docker info >/dev/null 2>&1 || die "cannot talk to the Docker daemon (is dockerd running?)"

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE already present ($(docker image inspect --format '{{.Id}}' "$BASE_IMAGE" | cut -c1-19)); nothing to do"
  exit 0
fi

if [[ "${CONVOY_TRY_PULL:-}" == "1" ]]; then
  log "trying: docker pull $BASE_IMAGE (timeout ${PULL_TIMEOUT}s)"
  if timeout "$PULL_TIMEOUT" docker pull --quiet "$BASE_IMAGE"; then
    log "pulled $BASE_IMAGE from the registry"
    exit 0
  fi
  log "pull failed or timed out; falling back to a local build"
fi

[[ -x "$BUSYBOX_BIN" ]] || die "$BUSYBOX_BIN not found; install the busybox-static package"
# A dynamically linked busybox would need the host's libc inside the image.
if command -v file >/dev/null 2>&1 && ! file -L "$BUSYBOX_BIN" | grep -q 'statically linked'; then
  die "$BUSYBOX_BIN is not statically linked; install the busybox-static package"
fi

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/convoy-busybox-rootfs.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT

log "building $BASE_IMAGE from $BUSYBOX_BIN ($("$BUSYBOX_BIN" 2>&1 | head -n1 | cut -d' ' -f1-2))"

mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/www,var/tmp,proc,sys,dev,home}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
chmod 0700 "$rootfs/root"
cp "$BUSYBOX_BIN" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"

# Applets the example services and tests rely on; these must exist.
required=(sh httpd wget cat echo ls mkdir printf sed grep test '[' sleep env true false nc id hostname date)
# Everything else the binary offers is linked too, like `busybox --install -s` would.
mapfile -t available < <("$BUSYBOX_BIN" --list)
linked=0
for applet in "${available[@]}" "${required[@]}"; do
  [[ -n "$applet" && "$applet" != "busybox" ]] || continue
  [[ -e "$rootfs/bin/$applet" || -L "$rootfs/bin/$applet" ]] && continue
  ln -s busybox "$rootfs/bin/$applet"
  linked=$((linked + 1))
done
# Checked against the list read above: piping `--list` into `grep -q` fails now and then under
# pipefail (grep exits at the first match and busybox dies of SIGPIPE), which read as a missing applet.
declare -A offered=()
for applet in "${available[@]}"; do offered[$applet]=1; done
for applet in "${required[@]}"; do
  [[ -n "${offered[$applet]:-}" ]] || die "$BUSYBOX_BIN lacks the required applet '$applet'"
done
# Common absolute paths used in shebangs.
ln -s ../../bin/env "$rootfs/usr/bin/env"

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
GROUP
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/etc/nsswitch.conf"

log "rootfs ready: busybox + $linked applet symlinks, /etc/passwd, /etc/group, /tmp, /var/www"

tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . \
  | docker import \
      --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["sh"]' \
      --message "convoy: built offline from $BUSYBOX_BIN by scripts/seed-base-image.sh" \
      - "$BASE_IMAGE" >/dev/null

docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "import finished but $BASE_IMAGE is not present"
log "imported $BASE_IMAGE ($(docker image inspect --format '{{.Id}}' "$BASE_IMAGE" | cut -c1-19))"
