"""Complete the English catalog of an area: message ids are English, so an untranslated (or fuzzy) English entry
gets its own msgid as translation (both forms of a plural), except the few ids that are identifiers rather than
text, which get an English text (:data:`IDENTIFIERS`). An English text written by hand is kept. Run by
``dev/i18n.sh`` between the catalog update and the compilation:

    .venv/bin/python dev/i18n_english.py i18n/en/LC_MESSAGES/ckanext-grandest-<area>.po
"""
from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po

#: msgids that are keys, not text
IDENTIFIERS = {
    "upload": "File",  # onboarding/storage.py: CKAN's error key of a refused upload, shown as a field's label
}


def _empty(string: object) -> bool:
    return not (all(string) if isinstance(string, (tuple, list)) else string)


def complete(path: str) -> int:
    with open(path, "rb") as f:
        catalog = read_po(f, locale="en")
    filled = 0
    for message in catalog:
        if not message.id or not (_empty(message.string) or message.fuzzy):
            continue
        if isinstance(message.id, (tuple, list)):
            message.string = tuple(message.id)
        else:
            message.string = IDENTIFIERS.get(message.id, message.id)
        message.flags.discard("fuzzy")
        filled += 1
    catalog.obsolete.clear()
    with open(path, "wb") as f:
        write_po(f, catalog)
    return filled


if __name__ == "__main__":
    for po in sys.argv[1:]:
        print(f"{po}: {complete(po)} English message(s) filled")
