#!/usr/bin/env bash
# usage: dev/s3proxy/install.sh STATE_DIR
#
# Fetches s3proxy 2.6.0 and its dependencies from Maven Central into STATE_DIR/lib (via ~/.m2). Idempotent:
# skipped when lib/.stamp (sha256 of pom.xml) matches. The jars go to a fresh directory that is then swapped
# in, so a changed pom never leaves jars of two versions side by side. STATE_DIR must be outside the checkout.
#
# env: MVN (default mvn), MAVEN_CENTRAL_URL (only used to diagnose failures)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${1:?usage: install.sh STATE_DIR}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
MVN=${MVN:-mvn}
CENTRAL=${MAVEN_CENTRAL_URL:-https://repo.maven.apache.org/maven2}

die() { echo "install.sh: ERROR: $*" >&2; exit 1; }

command -v "$MVN" >/dev/null || die "Maven ('$MVN') not found; apt-get install -y maven"
command -v java >/dev/null || die "java not found; apt-get install -y openjdk-17-jdk-headless"

KEY=$(sha256sum "$HERE/pom.xml" | cut -c1-64)
if [[ -f "$STATE/lib/.stamp" && "$(cat "$STATE/lib/.stamp")" == "$KEY" ]]; then
  echo "s3proxy jars: up to date ($STATE/lib)"
  exit 0
fi
echo "s3proxy jars: resolving org.gaul:s3proxy 2.6.0 from Maven Central into $STATE/lib ..."
rm -rf "$STATE/lib.new"
t0=$(date +%s)
if ! "$MVN" -B -q -f "$HERE/pom.xml" dependency:copy-dependencies -Ds3proxy.lib.dir="$STATE/lib.new" \
      >"$STATE/mvn.log" 2>&1; then
  tail -n 30 "$STATE/mvn.log" >&2
  if ! curl -fsS -o /dev/null --max-time 15 "$CENTRAL/org/gaul/s3proxy/maven-metadata.xml" 2>/dev/null; then
    die "cannot reach Maven Central ($CENTRAL); s3proxy comes only from Maven Central. Check network/proxy (~/.m2/settings.xml). Full log: $STATE/mvn.log"
  fi
  die "mvn dependency:copy-dependencies failed although Maven Central ($CENTRAL) answers; see $STATE/mvn.log"
fi
n=$(find "$STATE/lib.new" -name '*.jar' | wc -l)
[[ $n -gt 50 ]] || die "only $n jars resolved into $STATE/lib.new; see $STATE/mvn.log"
[[ -f "$STATE/lib.new/s3proxy-2.6.0.jar" ]] || die "s3proxy-2.6.0.jar missing from $STATE/lib.new; see $STATE/mvn.log"
echo "$KEY" >"$STATE/lib.new/.stamp"
rm -rf "$STATE/lib"
mv "$STATE/lib.new" "$STATE/lib"
echo "s3proxy jars: $n jars, $(du -sh "$STATE/lib" | cut -f1), $(( $(date +%s) - t0 ))s"
