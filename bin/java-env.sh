# Sourced by bin/drover and bin/test: picks a JDK >= 21 into JAVA_HOME, and makes sure Maven exists.
# The JDK's feature version from its release file (no JVM start: bin/drover runs this every time), else from the JVM.
java_major() {
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$1/release" | head -1)
  [ -n "$v" ] && { echo "${v%%.*}"; return; }
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1
}

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  local best="" best_major=0 d m
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    m=$(java_major "$d"); m=${m%%.*}
    [ -n "$m" ] && [ "$m" -ge 21 ] || continue
    # JAVA_HOME wins when it qualifies; otherwise take the newest.
    if [ "$d" = "${JAVA_HOME:-}" ]; then best=$d; break; fi
    if [ "$m" -gt "$best_major" ]; then best=$d; best_major=$m; fi
  done
  if [ -z "$best" ]; then
    echo "drover: no JDK 21 or newer found (looked at JAVA_HOME=${JAVA_HOME:-unset} and /usr/lib/jvm/*)." >&2
    echo "drover: install one (e.g. a Temurin 21+ JDK under /usr/lib/jvm) or point JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME=$best
}

ensure_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  echo "drover: installing Maven from Debian" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
}

# Installs those of the given Debian packages that are missing (quiet; apt is not called when none is).
ensure_debian_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "drover: installing Debian packages: ${missing[*]}" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Maven's bundled Guava warns loudly on JDK >= 24; the flag exists from JDK 23 on.
quiet_maven_on_new_jdks() {
  local m; m=$(java_major "$JAVA_HOME"); m=${m%%.*}
  if [ -n "$m" ] && [ "$m" -ge 23 ]; then
    case "${MAVEN_OPTS:-}" in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
  fi
}
