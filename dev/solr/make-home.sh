#!/usr/bin/env bash
# usage: dev/solr/make-home.sh SOLR_HOME SCHEMA_XML CORE [CORE...]
#   e.g. dev/solr/make-home.sh "$STATE/home" "$VENV/lib/python3.11/site-packages/ckan/config/solr/schema.xml" ckan_dev ckan_test
#
# Creates (or refreshes) a standalone Solr home:
#   SOLR_HOME/solr.xml
#   SOLR_HOME/<CORE>/core.properties                 name=<CORE>
#   SOLR_HOME/<CORE>/conf/{solrconfig.xml,protwords.txt,synonyms.txt}   from dev/solr/template/core/conf
#   SOLR_HOME/<CORE>/conf/managed-schema             = SCHEMA_XML verbatim (CKAN's schema.xml)
#   SOLR_HOME/<CORE>/data/                            created by Solr (index + tlog); never touched here
# Idempotent: files are only rewritten when they differ. When a core's schema or config changed, it says so:
# restart Solr (or RELOAD the core) and rebuild the CKAN index (ckan search-index rebuild).
# Cores not named on the command line are left alone.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
USAGE="usage: make-home.sh SOLR_HOME SCHEMA_XML CORE [CORE...]"
DEST=${1:?$USAGE}
SCHEMA=${2:?$USAGE}
shift 2
[[ $# -ge 1 ]] || { echo "$USAGE" >&2; exit 2; }
[[ -f $SCHEMA ]] || { echo "make-home.sh: ERROR: schema not found: $SCHEMA (is ckan installed in the venv?)" >&2; exit 1; }
NAME=$( (grep -o '<schema name="[^"]*"' "$SCHEMA" || true) | head -1 | sed 's/.*name="//; s/"$//')
[[ $NAME == ckan-* ]] || { echo "make-home.sh: ERROR: $SCHEMA is not a CKAN schema (name='$NAME')" >&2; exit 1; }

# copy only when the content differs (atomic rename); counts changed files in $changed
changed=0
sync_file() { # src dst
  if [[ -f $2 ]] && cmp -s "$1" "$2"; then return 0; fi
  cp "$1" "$2.tmp.$$"
  mv -f "$2.tmp.$$" "$2"
  changed=$((changed + 1))
}

mkdir -p "$DEST/logs"
sync_file "$HERE/template/solr.xml" "$DEST/solr.xml"

for CORE in "$@"; do
  [[ $CORE =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || { echo "make-home.sh: ERROR: bad core name '$CORE'" >&2; exit 2; }
  C="$DEST/$CORE"
  new=0; [[ -f $C/core.properties ]] || new=1
  mkdir -p "$C/conf"
  changed=0
  printf 'name=%s\n' "$CORE" >"$C/.core.properties.new"
  sync_file "$C/.core.properties.new" "$C/core.properties"
  rm -f "$C/.core.properties.new"
  for f in solrconfig.xml protwords.txt synonyms.txt; do
    sync_file "$HERE/template/core/conf/$f" "$C/conf/$f"
  done
  # managed-schema (legacy name, no .xml) is what ckan/ckan-solr uses; ManagedIndexSchemaFactory prefers it.
  # Drop any other schema file Solr may have written/renamed so there is exactly one source of truth.
  sync_file "$SCHEMA" "$C/conf/managed-schema"
  for f in managed-schema.xml schema.xml schema.xml.bak; do
    if [[ -e $C/conf/$f ]]; then rm -f "$C/conf/$f"; changed=$((changed + 1)); fi
  done
  if [[ $new == 1 ]]; then
    echo "core $CORE: created ($NAME) in $C"
  elif [[ $changed -gt 0 ]]; then
    echo "core $CORE: config/schema refreshed ($NAME); restart Solr (or RELOAD the core) and rebuild the index"
  else
    echo "core $CORE: up to date ($NAME)"
  fi
done
