#!/usr/bin/env bash
# usage: dev/solr/install.sh STATE_DIR
#
# Fetches Solr 9.10.1 + Jetty 10.0.26 jars from Maven Central into STATE_DIR/lib (via ~/.m2) and
# precompiles SolrDevServer.java into STATE_DIR/classes. Idempotent: each step is skipped when its
# stamp (sha256 of the inputs) matches. STATE_DIR must be outside the git checkout (jars are never committed).
#
# env: MVN (default mvn), JAVAC (default javac), MAVEN_CENTRAL_URL (only used to diagnose failures)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${1:?usage: install.sh STATE_DIR}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
MVN=${MVN:-mvn}
JAVAC=${JAVAC:-javac}
CENTRAL=${MAVEN_CENTRAL_URL:-https://repo.maven.apache.org/maven2}

die() { echo "install.sh: ERROR: $*" >&2; exit 1; }
sha() { cat "$@" | sha256sum | cut -c1-64; }

command -v "$MVN" >/dev/null || die "Maven ('$MVN') not found; apt-get install -y maven"
command -v "$JAVAC" >/dev/null || die "javac not found; apt-get install -y openjdk-17-jdk-headless"

# ---- 1. jars -------------------------------------------------------------------------------------
LIB_KEY=$(sha "$HERE/pom.xml")
if [[ -f "$STATE/lib/.stamp" && "$(cat "$STATE/lib/.stamp")" == "$LIB_KEY" ]]; then
  echo "solr jars: up to date ($STATE/lib)"
else
  echo "solr jars: resolving solr-core 9.10.1 from Maven Central into $STATE/lib ..."
  rm -rf "$STATE/lib.new"
  t0=$(date +%s)
  # copy into a fresh dir, then swap: a changed pom never leaves jars of two versions side by side
  if ! "$MVN" -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
        -Dsolr.lib.dir="$STATE/lib.new" >"$STATE/mvn.log" 2>&1; then
    tail -n 30 "$STATE/mvn.log" >&2
    if ! curl -fsS -o /dev/null --max-time 15 "$CENTRAL/org/apache/solr/solr-core/maven-metadata.xml" 2>/dev/null; then
      die "cannot reach Maven Central ($CENTRAL); the Solr jars come only from Maven Central. Check network/proxy (~/.m2/settings.xml). Full log: $STATE/mvn.log"
    fi
    die "mvn dependency:copy-dependencies failed although Maven Central ($CENTRAL) answers; see $STATE/mvn.log"
  fi
  n=$(find "$STATE/lib.new" -name '*.jar' | wc -l)
  [[ $n -gt 50 ]] || die "only $n jars resolved into $STATE/lib.new; see $STATE/mvn.log"
  # sanity: Solr 9 = Jetty 10 + javax.servlet 4 (jetty-servlet-api-4.0.x is Jetty's toolchain javax.servlet
  # jar, not a Jetty version); no jakarta.servlet; no second SLF4J provider
  bad=$(cd "$STATE/lib.new" && ls | grep -E '^(jetty-|http2-)|servlet' | grep -vE -- '-10\.0\.26\.jar$|^jetty-servlet-api-4\.' || true)
  [[ -z $bad ]] || die "non-10.0.26 Jetty jars resolved: $bad"
  bad=$(cd "$STATE/lib.new" && ls | grep -iE '^(logback|log4j-1|commons-logging|slf4j-reload4j|slf4j-log4j12)' || true)
  [[ -z $bad ]] || die "conflicting logging jars resolved: $bad"
  echo "$LIB_KEY" >"$STATE/lib.new/.stamp"
  rm -rf "$STATE/lib" "$STATE/classes"
  mv "$STATE/lib.new" "$STATE/lib"
  echo "solr jars: $n jars, $(du -sh "$STATE/lib" | cut -f1), $(( $(date +%s) - t0 ))s"
fi

# ---- 2. launcher ---------------------------------------------------------------------------------
CLS_KEY=$(sha "$HERE/SolrDevServer.java" "$STATE/lib/.stamp"; "$JAVAC" -version 2>&1)
if [[ -f "$STATE/classes/.stamp" && "$(cat "$STATE/classes/.stamp")" == "$CLS_KEY" ]]; then
  echo "launcher: up to date ($STATE/classes)"
else
  rm -rf "$STATE/classes.new"
  mkdir -p "$STATE/classes.new"
  "$JAVAC" -nowarn -encoding UTF-8 -d "$STATE/classes.new" -cp "$STATE/lib/*" "$HERE/SolrDevServer.java" \
    || die "javac of $HERE/SolrDevServer.java failed"
  echo "$CLS_KEY" >"$STATE/classes.new/.stamp"
  rm -rf "$STATE/classes"
  mv "$STATE/classes.new" "$STATE/classes"
  echo "launcher: compiled into $STATE/classes"
fi
