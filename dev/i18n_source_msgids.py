"""Give French msgids their own text as French translation (French is their source language).

The validation engine (``ckanext/grandest/validation/engine/``) writes its reports in French: its message ids
are French (reports are stored data, rendered as stored), so the French catalog of the area translates them
to themselves. ``dev/i18n.sh validation`` extracts them with the plugin's English UI msgids; run this
afterwards, then ``dev/i18n.sh validation`` again to compile:

    .venv/bin/python dev/i18n_source_msgids.py validation ckanext/grandest/validation/engine

Only empty or fuzzy French entries whose msgid comes from the given folder are filled.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]


def _ids(path: Path) -> set[str]:
    with open(path, "rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def main(area: str, source: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cfg, pot = Path(tmp) / "babel.cfg", Path(tmp) / "source.pot"
        cfg.write_text("[python: **.py]\n", encoding="utf-8")
        subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", str(cfg),
                        "-k", "_", "-k", "N_", "-k", "ungettext:1,2", "-k", "gettext", "-k", "ngettext:1,2",
                        "--no-location", "-o", str(pot), str(ROOT / source)], check=True)
        source_ids = _ids(pot)
    po_path = ROOT / "i18n" / "fr" / "LC_MESSAGES" / f"ckanext-grandest-{area}.po"
    with open(po_path, "rb") as f:
        catalog = read_po(f, locale="fr")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key not in source_ids:
            continue
        empty = not (all(message.string) if isinstance(message.string, (tuple, list)) else message.string)
        if empty or message.fuzzy:
            message.string = tuple(message.id) if isinstance(message.id, (tuple, list)) else message.id
            message.flags.discard("fuzzy")
            filled += 1
    with open(po_path, "wb") as f:
        write_po(f, catalog, width=116)
    print(f"{po_path.relative_to(ROOT)}: {filled} French source message(s) filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
