#!/usr/bin/env bash
# usage: dev/solr/wait.sh BASE_URL CORE TIMEOUT_S [PID]
#   e.g. dev/solr/wait.sh http://127.0.0.1:8983/solr ckan_test 120 "$(cat "$STATE/solr.pid")"
# Polls BASE_URL/CORE/admin/ping until it answers "status":"OK", then prints the core's schema name
# (e.g. ckan-2.11). Exit 0 when ready; 1 with a message on timeout, or as soon as PID (if given) has died.
set -u
USAGE="usage: wait.sh BASE_URL CORE TIMEOUT_S [PID]"
BASE=${1:?$USAGE}; CORE=${2:?$USAGE}; T=${3:?$USAGE}; PID=${4:-}
BASE=${BASE%/}
deadline=$(( $(date +%s) + T ))
last=""
while :; do
  if out=$(curl -sS --max-time 5 "$BASE/$CORE/admin/ping?wt=json" 2>&1) && [[ $out == *'"status":"OK"'* ]]; then
    name=$(curl -fsS --max-time 5 "$BASE/$CORE/schema/name?wt=json" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')
    echo "solr core $CORE ready at $BASE/$CORE (schema ${name:-unknown})"
    exit 0
  fi
  last=$(printf '%s' "$out" | tr -s '\n\r\t ' ' ')
  if [[ -n $PID ]] && ! kill -0 "$PID" 2>/dev/null; then
    echo "wait.sh: ERROR: Solr process $PID exited before core '$CORE' became ready (see its log)" >&2
    exit 1
  fi
  (( $(date +%s) >= deadline )) && break
  sleep 0.5
done
echo "wait.sh: ERROR: Solr core '$CORE' not ready at $BASE after ${T}s; last answer: ${last:0:300}" >&2
exit 1
