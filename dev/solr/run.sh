#!/usr/bin/env bash
# usage: dev/solr/run.sh STATE_DIR SOLR_HOME PORT
#   Runs Solr in the FOREGROUND (the caller backgrounds it and keeps the pid/log), bound to 127.0.0.1,
#   logging to stdout. exec's java, so $! of the caller is the JVM: `kill -TERM $pid` stops it cleanly.
#   STATE_DIR must have been prepared by install.sh (lib/ + classes/), SOLR_HOME by make-home.sh.
# env: DEV_SOLR_HEAP (max heap, default 1g), DEV_SOLR_LOG_LEVEL (default WARN; INFO shows every request),
#      DEV_SOLR_HOST (default 127.0.0.1), DEV_SOLR_JAVA_OPTS (extra JVM options), JAVA (default java)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
USAGE="usage: run.sh STATE_DIR SOLR_HOME PORT"
STATE=${1:?$USAGE}; SOLR_HOME_DIR=${2:?$USAGE}; PORT=${3:?$USAGE}
die() { echo "run.sh: ERROR: $*" >&2; exit 2; }
[[ -f $STATE/classes/SolrDevServer.class && -f $STATE/lib/.stamp ]] \
  || die "$STATE is not installed; run: $HERE/install.sh $STATE"
[[ -f $SOLR_HOME_DIR/solr.xml ]] || die "$SOLR_HOME_DIR/solr.xml missing; run: $HERE/make-home.sh $SOLR_HOME_DIR SCHEMA_XML CORE..."
[[ $PORT =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$PORT'"
STATE=$(cd "$STATE" && pwd); SOLR_HOME_DIR=$(cd "$SOLR_HOME_DIR" && pwd)
mkdir -p "$SOLR_HOME_DIR/logs"

# Solr 9's EnvUtils maps SOLR_* / ZK_* env vars to system properties (ZK_HOST => SolrCloud mode,
# SOLR_MODULES => needs solr.install.dir, SOLR_HOME/SOLR_PORT override ours...): start from a clean slate.
for v in $(compgen -e | grep -E '^(SOLR_|ZK_)' || true); do unset "$v"; done

# shellcheck disable=SC2086
exec "${JAVA:-java}" -Xms256m -Xmx"${DEV_SOLR_HEAP:-1g}" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true -Duser.timezone=UTC -Dfile.encoding=UTF-8 \
  -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Djava.util.logging.config.file="$HERE/jul.properties" \
  -Dsolr.log.dir="$SOLR_HOME_DIR/logs" -Dsolr.log.level="${DEV_SOLR_LOG_LEVEL:-WARN}" \
  ${DEV_SOLR_JAVA_OPTS:-} \
  -cp "$STATE/classes:$STATE/lib/*" SolrDevServer "$SOLR_HOME_DIR" "$PORT" "${DEV_SOLR_HOST:-127.0.0.1}"
