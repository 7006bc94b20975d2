#!/usr/bin/env bash
# Extracts the messages of each plugin area into i18n/ckanext-grandest-<area>.pot, updates the fr/en/de
# catalogs (creating them if needed; the English one is completed with the msgids, dev/i18n_english.py) and
# compiles the .mo files (committed, so a wheel needs no build step). French translations are written by hand
# in i18n/fr/ (tests/test_i18n.py fails on a missing one); German is left to translators.
# usage: dev/i18n.sh [AREA...]      (default: every ckanext/grandest/<area>/ that has a plugin.py)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
BABEL=$VENV/bin/pybabel
areas=("$@")
if [ ${#areas[@]} = 0 ]; then
    for f in ckanext/grandest/*/plugin.py; do areas+=("$(basename "$(dirname "$f")")"); done
fi
cfg=$(mktemp)
cat >"$cfg" <<'CFG'
[python: **.py]
[ckan.lib.extract.extract_ckan: **/templates/**.html]
[ckan.lib.extract.extract_ckan: **/templates/**.txt]
[javascript: **.js]
CFG
for area in "${areas[@]}"; do
    domain=ckanext-grandest-$area
    pot=i18n/$domain.pot
    # shared code (common/) is extracted into every area that may display it
    "$BABEL" -q extract -F "$cfg" -k _ -k N_ -k ungettext:1,2 -k gettext -k ngettext:1,2 --no-location --sort-output \
        --project=ckanext-grandest --msgid-bugs-address=opendata@datagrandest.example \
        -o "$pot" "ckanext/grandest/$area" ckanext/grandest/common
    for loc in fr en de; do
        po=i18n/$loc/LC_MESSAGES/$domain.po
        if [ -f "$po" ]; then
            "$BABEL" -q update -D "$domain" -i "$pot" -d i18n -l "$loc" --no-fuzzy-matching
        else
            "$BABEL" -q init -D "$domain" -i "$pot" -d i18n -l "$loc"
        fi
        # English is the msgids' language: its catalog is complete by construction
        [ "$loc" = en ] && "$VENV/bin/python" dev/i18n_english.py "$po" >/dev/null
        "$BABEL" -q compile -D "$domain" -d i18n -l "$loc" --use-fuzzy 2>/dev/null || "$BABEL" -q compile -D "$domain" -d i18n -l "$loc"
    done
    ok "$domain: $(grep -c '^msgid "' "$pot") messages"
done
rm -f "$cfg"
