"""Give every area's French catalog the same translation of the CKAN core messages of common/core_msgids.py.

``dev/i18n.sh`` extracts ``ckanext/grandest/common/`` into every area, so each area's catalog holds the core
messages that CKAN's French catalog lacks or gets wrong. Translate one in any area's French catalog (or change
it there), then run:

    .venv/bin/python dev/i18n_core.py && GRANDEST_CKAN=2.11 dev/i18n.sh

The first area (alphabetical order: ``dcat`` first) with a translation gives it to the areas where the entry is
empty or fuzzy; ``--force`` gives it to every area, replacing theirs (to change a translation: change it in the
first area's catalog, run with ``--force``).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from ckanext.grandest.common.core_msgids import CORE_MSGIDS

    force = "--force" in argv
    paths = sorted((ROOT / "i18n" / "fr" / "LC_MESSAGES").glob("ckanext-grandest-*.po"))
    catalogs = {}
    for path in paths:
        with open(path, "rb") as f:
            catalogs[path] = read_po(f, locale="fr")
    chosen = {}
    for msgid in CORE_MSGIDS:
        for catalog in catalogs.values():
            entry = catalog.get(msgid)
            if entry is not None and entry.string and not entry.fuzzy:
                chosen[msgid] = entry.string
                break
    missing = [m for m in CORE_MSGIDS if m not in chosen]
    for path, catalog in catalogs.items():
        changed = 0
        for msgid, string in chosen.items():
            entry = catalog.get(msgid)
            if entry is None:
                continue
            if force or not entry.string or entry.fuzzy:
                if entry.string != string or entry.fuzzy:
                    entry.string = string
                    entry.flags.discard("fuzzy")
                    changed += 1
        if changed:
            with open(path, "wb") as f:
                write_po(f, catalog, width=116)
        print(f"{path.relative_to(ROOT)}: {changed} core message(s) filled")
    if missing:
        print(f"{len(missing)} core message(s) without French in any area: {missing[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
