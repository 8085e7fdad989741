#!/usr/bin/env bash
# Installs what the test ground needs and builds kube-apiserver once per machine.
# Idempotent and quiet: a second run only checks and prints the binary's path.
# Output: the last line on stdout is the path of the kube-apiserver binary.
set -euo pipefail

K8S_VERSION="${DROVER_K8S_VERSION:-1.20.2}"
CACHE="${DROVER_CACHE:-$HOME/.cache/drover}"
BIN_DIR="$CACHE/kube-apiserver-v$K8S_VERSION"
BIN="$BIN_DIR/kube-apiserver"

log() { echo "[testground] $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >/dev/null; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runtime needs: etcd, openssl (service-account keys), PostgreSQL for store tests.
apt_install etcd-server openssl postgresql-15 prometheus

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"; exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.build-v$K8S_VERSION.lock"
log "waiting for the build lock $CACHE/.build-v$K8S_VERSION.lock"
flock 9
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then echo "$BIN"; exit 0; fi

apt_install golang-go rsync golang-github-modern-go-reflect2-dev make dpkg-dev

# Source packages need a deb-src entry; derive it from the machine's own deb sources.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  src=/etc/apt/sources.list.d/debian.sources
  [ -f "$src" ] || { log "no $src to derive a deb-src entry from"; exit 1; }
  log "adding deb-src entries derived from $src"
  sed 's/^Types: deb$/Types: deb-src/' "$src" | as_root tee /etc/apt/sources.list.d/drover-deb-src.sources >/dev/null
  as_root apt-get update -qq >/dev/null
fi

WORK="$CACHE/build-v$K8S_VERSION"
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
log "downloading Debian's kubernetes source package"
apt-get source --download-only -qq kubernetes >/dev/null 2>&1 || apt-get source --download-only kubernetes >&2
orig=$(ls kubernetes_*.orig.tar.* | head -1)
mkdir src && tar -xf "$orig" -C src --strip-components=1
cd src
[ -d vendor/github.com/modern-go/reflect2 ] || { log "unexpected source tree: no vendored reflect2"; exit 1; }

# reflect2 1.0.1 crashes the apiserver under Go >= 1.18; swap in Debian's 1.0.2 sources.
rm -rf vendor/github.com/modern-go/reflect2 && mkdir -p vendor/github.com/modern-go/reflect2
for f in /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s; do
  case "$f" in *_test.go) ;; *) [ -e "$f" ] && cp "$f" vendor/github.com/modern-go/reflect2/ ;; esac
done

mkdir -p .go/src/k8s.io && ln -sfn ../../.. .go/src/k8s.io/kubernetes
log "building kube-apiserver v$K8S_VERSION (first time on this machine: ~5 min)"
env HOME="$WORK/home" GOPATH="$PWD/.go" GOCACHE="$WORK/gocache" CGO_ENABLED=0 \
  make WHAT=cmd/kube-apiserver >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; exit 1; }
mkdir -p "$BIN_DIR"
cp _output/bin/kube-apiserver "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
cd "$CACHE" && rm -rf "$WORK"
log "built $BIN"
echo "$BIN"
