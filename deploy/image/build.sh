#!/usr/bin/env bash
# Builds Drover's container image as an OCI archive, reproducibly and without a registry or a daemon:
#   layer 1: a Debian bookworm base (mmdebstrap, extract variant: libc, tzdata, netbase; no shell),
#            with user and group drover (65532), /tmp and an empty home for it;
#   layer 2: a Java runtime jlink'd from the build's JDK (modules: deploy/image/modules);
#   layer 3: the shaded drover-server/target/drover.jar as /app/drover.jar.
# Entrypoint `java -jar /app/drover.jar`, default command `server`, user 65532, workdir its home.
# Same jar, JDK, Debian mirror content and SOURCE_DATE_EPOCH => the same archive, byte for byte;
# prints the image's manifest digest (the only line on stdout). `podman load -i` names it
# localhost/drover:VERSION.
#
#   deploy/image/build.sh [--jar PATH] [--output PATH] [--cache DIR]
#     --jar     the shaded jar (default: drover-server/target/drover.jar, built with Maven when stale)
#     --output  the OCI archive (default: target/image/drover-image.tar)
#     --cache   where the base and the runtime are kept (default: ~/.cache/drover/image); the base is
#               made again when Debian's package indexes change, the runtime when the JDK or the
#               module list does
#     --install-tools  only install what building and running the image takes (mmdebstrap, umoci, skopeo,
#               podman, runc), then exit: bin/test does this for ImageIT
# Environment: SOURCE_DATE_EPOCH (the image's creation time; default: the last commit's time, else 0),
#              JAVA_HOME (the JDK to jlink from; default as bin/drover picks it).
# Needs root (mmdebstrap --mode=root); installs mmdebstrap, umoci, skopeo when missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR="" OUTPUT="$ROOT/target/image/drover-image.tar" CACHE="${DROVER_CACHE:-$HOME/.cache/drover}/image" INSTALL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --install-tools) INSTALL=1; shift ;;
    --jar) JAR=$2; shift 2 ;;
    --output) OUTPUT=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "[image] $*" >&2; }

. "$ROOT/bin/java-env.sh"
find_jdk

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >/dev/null; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
apt_install mmdebstrap umoci skopeo curl unzip
if [ -n "$INSTALL" ]; then
  apt_install podman runc
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build.sh: needs root (mmdebstrap --mode=root makes files owned by others)" >&2; exit 2; }

# All files in the layers carry this time; the config's creation time is SOURCE_DATE_EPOCH.
LAYER_EPOCH=0
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
fi
CREATED=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
sha() { sha256sum | cut -c1-16; }
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

# --- the jar
if [ -z "$JAR" ]; then
  JAR="$ROOT/drover-server/target/drover.jar"
  if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT"/drover-{kube,core,server}/{pom.xml,src/main} -newer "$JAR" -type f -print -quit)" ]; then
    quiet_maven_on_new_jdks
    ensure_maven
    log "building $JAR"
    (cd "$ROOT" && mvn -B -q -DskipTests -Dspotless.check.skip=true -pl drover-server -am package) >&2
  fi
fi
[ -f "$JAR" ] || { echo "build.sh: --jar $JAR: no such file" >&2; exit 2; }
VERSION=$(unzip -p "$JAR" META-INF/maven/dev.drover/drover-server/pom.properties | sed -n 's/^version=//p')

# --- layer 1: the Debian base
PACKAGES=libc6,libgcc-s1,gcc-12-base,base-files,netbase,tzdata,zlib1g
# The machine's own Debian mirrors and suites (deb822 sources), as mmdebstrap takes them.
SOURCES=/etc/apt/sources.list.d/debian.sources
[ -f "$SOURCES" ] || { echo "build.sh: no $SOURCES to take the Debian mirrors from" >&2; exit 2; }
MIRRORS=()
while read -r uri suites; do
  for s in $suites; do MIRRORS+=("deb $uri $s main"); done
done < <(awk '/^URIs:/{u=$2} /^Suites:/{$1=""; print u, $0}' "$SOURCES")
# What Debian serves now: the hashes of the package indexes (not their dates, which change by themselves).
debian_state() {
  local m uri suite
  for m in "${MIRRORS[@]}"; do
    read -r _ uri suite _ <<<"$m"
    curl -fsS --max-time 20 "$uri/dists/$suite/InRelease" | sed -n '/^SHA256:/,$p' | grep ' main/binary-amd64/Packages.xz$'
  done
}
STATE=$(debian_state) || { log "cannot read Debian's package indexes: using the newest cached base"; STATE=""; }
HOOK=$(cat <<'EOF'
set -e
r=$1
# the user the image runs as (a file owner, no login); /tmp for the JVM
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ndrover:x:65532:65532:drover:/home/drover:/usr/sbin/nologin\n' > "$r/etc/passwd"
printf 'root:x:0:\ndrover:x:65532:\n' > "$r/etc/group"
printf 'hosts: files dns\n' > "$r/etc/nsswitch.conf"
rm -f "$r/etc/resolv.conf" "$r/etc/hostname"
mkdir -p "$r/home/drover" "$r/tmp" "$r/var/lib/dpkg/status.d"
chown 65532:65532 "$r/home/drover"; chmod 0750 "$r/home/drover"; chmod 1777 "$r/tmp"
# an extracted base has no dpkg database: record the packages the way distroless does, for scanners
for d in "$r"/var/cache/apt/archives/*.deb; do
  p=$(dpkg-deb -f "$d" Package)
  dpkg-deb -f "$d" Package Version Architecture Source Maintainer > "$r/var/lib/dpkg/status.d/$p"
done
EOF
)
BASE_KEY=$( { echo "$PACKAGES"; printf '%s\n' "${MIRRORS[@]}"; echo "$HOOK"; echo "$LAYER_EPOCH"; } | sha)
if [ -n "$STATE" ]; then
  BASE="$CACHE/base-$BASE_KEY-$(echo "$STATE" | sha).tar"
else
  BASE=$(ls -t "$CACHE"/base-"$BASE_KEY"-*.tar 2>/dev/null | head -1)
  [ -n "$BASE" ] || { echo "build.sh: no cached base and Debian's mirror unreachable" >&2; exit 1; }
fi
if [ ! -f "$BASE" ]; then
  log "making the Debian base ($PACKAGES)"
  rm -rf "$CACHE"/base-"$BASE_KEY"-*.tar "$CACHE"/base-*.tmp.tar
  SOURCE_DATE_EPOCH=$LAYER_EPOCH mmdebstrap --quiet --mode=root --variant=extract --include="$PACKAGES" \
    --extract-hook="$HOOK" bookworm "$BASE.tmp.tar" "${MIRRORS[@]}" >&2
  mv "$BASE.tmp.tar" "$BASE"
fi

# --- layer 2: the Java runtime
# A layer from a directory: sorted, owned by root, one time for every file.
layer_tar() { # OUT DIR NAME...
  local out=$1 dir=$2; shift 2
  tar --sort=name --mtime="@$LAYER_EPOCH" --owner=0 --group=0 --numeric-owner --format=gnu -C "$dir" -cf "$out" "$@"
}
MODULES=$(grep -v '^#' "$HERE/modules" | xargs | tr ' ' ',')
JDK_ID=$(sed -n 's/^FULL_VERSION="\(.*\)"/\1/p;s/^IMPLEMENTOR="\(.*\)"/\1/p' "$JAVA_HOME/release" | xargs)
# (this script is part of the key: its jlink options and what it drops from the runtime)
RUNTIME="$CACHE/runtime-$( { echo "$JDK_ID"; echo "$MODULES"; echo "$LAYER_EPOCH"; cat "${BASH_SOURCE[0]}"; } | sha).tar"
if [ ! -f "$RUNTIME" ]; then
  log "making the Java runtime from $JAVA_HOME ($JDK_ID)"
  rm -f "$CACHE"/runtime-*.tar
  tmp=$(mktemp -d)
  "$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --generate-cds-archive --output "$tmp/java" >&2
  # the archive for heaps of 32 GB and more (no compressed oops): not this image's case, and 14 MB
  rm -f "$tmp/java/lib/server/classes_nocoops.jsa"
  mkdir "$tmp/opt" && mv "$tmp/java" "$tmp/opt/java"
  layer_tar "$RUNTIME.tmp" "$tmp" opt
  rm -rf "$tmp"
  mv "$RUNTIME.tmp" "$RUNTIME"
fi

# --- layer 3 and the image
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/app"
cp "$JAR" "$WORK/app/drover.jar"
chmod 0644 "$WORK/app/drover.jar"
layer_tar "$WORK/app.tar" "$WORK" app

# An OCI layout with the base and the runtime compressed in it, kept beside them: most of the work.
LOWER="$CACHE/layout-$(basename "$BASE" .tar)-$(basename "$RUNTIME" .tar)"
if [ ! -f "$LOWER/index.json" ]; then
  rm -rf "$CACHE"/layout-*
  H0=(--history.created "$(date -u -d "@$LAYER_EPOCH" +%Y-%m-%dT%H:%M:%SZ)")
  umoci init --layout "$LOWER.tmp"
  umoci new --image "$LOWER.tmp:drover"
  umoci raw add-layer --image "$LOWER.tmp:drover" "${H0[@]}" --history.created_by "mmdebstrap bookworm ($PACKAGES)" "$BASE"
  umoci raw add-layer --image "$LOWER.tmp:drover" "${H0[@]}" --history.created_by "jlink $JDK_ID ($MODULES)" "$RUNTIME"
  mv "$LOWER.tmp" "$LOWER"
fi
L="$WORK/layout"
H=(--history.created "$CREATED")
cp -a "$LOWER" "$L"
umoci raw add-layer --image "$L:drover" "${H[@]}" --history.created_by "drover.jar $VERSION" "$WORK/app.tar"
umoci config --image "$L:drover" "${H[@]}" --created "$CREATED" --author drover --os linux --architecture amd64 \
  --config.user 65532:65532 --config.workingdir /home/drover \
  --config.env PATH=/opt/java/bin:/usr/bin:/bin --config.env JAVA_HOME=/opt/java \
  --config.env HOME=/home/drover --config.env TZ=UTC \
  --config.env 'JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError' \
  --config.entrypoint java --config.entrypoint -jar --config.entrypoint /app/drover.jar --config.cmd server \
  --config.stopsignal SIGTERM \
  --config.label "org.opencontainers.image.title=drover" \
  --config.label "org.opencontainers.image.version=$VERSION" \
  --config.label "org.opencontainers.image.revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
  --config.label "org.opencontainers.image.created=$CREATED"
REF="localhost/drover:$VERSION"
umoci tag --image "$L:drover" "$REF"
umoci rm --image "$L:drover"
umoci gc --layout "$L"

# The archive: the OCI layout as a sorted tar with fixed times (what skopeo's oci-archive transport reads).
mkdir -p "$(dirname "$OUTPUT")"
layer_tar "$OUTPUT.tmp" "$L" oci-layout index.json blobs
mv "$OUTPUT.tmp" "$OUTPUT"
DIGEST=$(skopeo inspect --format '{{.Digest}}' "oci-archive:$OUTPUT")
log "$OUTPUT: $REF, $(du -m "$OUTPUT" | cut -f1) MB, archive sha256:$(sha256sum "$OUTPUT" | cut -d' ' -f1)"
echo "$DIGEST"
