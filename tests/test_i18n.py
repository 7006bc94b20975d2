"""Every message of every plugin area has its French translation, and the committed .mo files are current."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

I18N = Path(__file__).resolve().parents[1] / "i18n"
POTS = sorted(I18N.glob("ckanext-grandest-*.pot"))


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def _messages(catalog) -> dict:
    return {_key(m.id): _key(m.string) for m in catalog if m.id}


def test_there_are_catalogs():
    assert POTS, "no translation template in i18n/"


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.stem)
def test_french_catalog_is_complete(pot: Path):
    with open(pot, "rb") as f:
        template = read_po(f)
    po = I18N / "fr" / "LC_MESSAGES" / f"{pot.stem}.po"
    with open(po, "rb") as f:
        catalog = read_po(f, locale="fr")
    missing = []
    for msg in template:
        if not msg.id:
            continue
        tr = catalog.get(msg.id, msg.context)
        strings = tr.string if tr else None
        if tr is None or tr.fuzzy or not (all(strings) if isinstance(strings, (tuple, list)) else strings):
            missing.append(msg.id)
    assert not missing, f"{len(missing)} message(s) without French translation in {po.name}: {missing[:10]}"


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("locale", ["fr", "en", "de"])
def test_compiled_catalog_matches_po(pot: Path, locale: str):
    base = I18N / locale / "LC_MESSAGES" / pot.stem
    with open(f"{base}.po", "rb") as f:
        po = read_po(f, locale=locale)
    with open(f"{base}.mo", "rb") as f:
        mo = read_mo(f)
    expected = {}
    for m in po:
        if not m.id or m.fuzzy:
            continue
        if isinstance(m.string, (tuple, list)):
            if all(m.string):
                expected[_key(m.id)] = _key(m.string)
            elif not any(m.string):
                expected[_key(m.id)] = _key(m.id)  # babel compiles an untranslated plural as its own msgids
        elif m.string:
            expected[_key(m.id)] = m.string
    assert _messages(mo) == expected, f"{base}.mo is stale: run dev/i18n.sh"


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.stem)
def test_no_plural_message_shadows_one_of_ckan(pot: Path):
    """An untranslated plural compiles to its English msgids; merged after CKAN's catalogs, one that CKAN also
    uses would replace CKAN's own translation (German "Datensätze" would become "datasets")."""
    import ckan

    with open(Path(ckan.__file__).parent / "i18n" / "ckan.pot", "rb") as f:
        core = {m.id[0] for m in read_po(f) if isinstance(m.id, (tuple, list))}
    with open(pot, "rb") as f:
        ours = {m.id[0] for m in read_po(f) if isinstance(m.id, (tuple, list))}
    assert not ours & core, f"plural msgids shared with CKAN core in {pot.name}: {sorted(ours & core)}"
