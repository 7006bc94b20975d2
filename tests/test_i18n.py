"""The translation catalogs (issue #16): every message of every plugin area has its French translation and an
English one, the message ids are English, the catalogs follow the code and the committed .mo files are current."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "i18n"
POTS = sorted(I18N.glob("ckanext-grandest-*.pot"))


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def _messages(catalog) -> dict:
    return {_key(m.id): _key(m.string) for m in catalog if m.id}


def test_there_are_catalogs():
    assert POTS, "no translation template in i18n/"


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalog_is_complete(pot: Path, locale: str):
    """French is written by hand; English is the msgids' own language (dev/i18n.sh fills it)."""
    with open(pot, "rb") as f:
        template = read_po(f)
    po = I18N / locale / "LC_MESSAGES" / f"{pot.stem}.po"
    with open(po, "rb") as f:
        catalog = read_po(f, locale=locale)
    missing = []
    for msg in template:
        if not msg.id:
            continue
        tr = catalog.get(msg.id, msg.context)
        strings = tr.string if tr else None
        if tr is None or tr.fuzzy or not (all(strings) if isinstance(strings, (tuple, list)) else strings):
            missing.append(msg.id)
    assert not missing, f"{len(missing)} message(s) without {locale} translation in {po.name}: {missing[:10]}"


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("locale", ["fr", "en", "de"])
def test_catalog_follows_its_template(pot: Path, locale: str):
    """A catalog holds exactly the template's messages (dev/i18n.sh run after the last extraction)."""
    with open(pot, "rb") as f:
        template = {_key(m.id) for m in read_po(f) if m.id}
    with open(I18N / locale / "LC_MESSAGES" / f"{pot.stem}.po", "rb") as f:
        catalog = {_key(m.id) for m in read_po(f, locale=locale) if m.id}
    assert catalog == template, (f"{locale}/{pot.stem}.po differs from its template: run dev/i18n.sh "
                                 f"(missing {sorted(map(str, template - catalog))[:5]}, "
                                 f"extra {sorted(map(str, catalog - template))[:5]})")


def test_templates_follow_the_code(tmp_path: Path):
    """Every msgid of the code is in its area's template (extracted as dev/i18n.sh does), none is left over."""
    cfg = tmp_path / "babel.cfg"
    cfg.write_text("[python: **.py]\n[ckan.lib.extract.extract_ckan: **/templates/**.html]\n"
                   "[ckan.lib.extract.extract_ckan: **/templates/**.txt]\n[javascript: **.js]\n", encoding="utf-8")
    stale = {}
    for pot in POTS:
        area = pot.stem.removeprefix("ckanext-grandest-")
        out = tmp_path / pot.name
        subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", str(cfg),
                        "-k", "_", "-k", "N_", "-k", "ungettext:1,2", "-k", "gettext", "-k", "ngettext:1,2",
                        "--no-location", "-o", str(out), f"ckanext/grandest/{area}", "ckanext/grandest/common"],
                       cwd=ROOT, check=True)
        with open(out, "rb") as f:
            extracted = {_key(m.id) for m in read_po(f) if m.id}
        with open(pot, "rb") as f:
            committed = {_key(m.id) for m in read_po(f) if m.id}
        if extracted != committed:
            stale[pot.name] = (sorted(map(str, extracted - committed))[:5], sorted(map(str, committed - extracted))[:5])
    assert not stale, f"templates out of date with the code (new, gone): {stale}; run dev/i18n.sh"


# --- message ids are English ------------------------------------------------------------------------------

#: French words a French msgid is made of (articles, prepositions, pronouns, common verbs)
FRENCH_WORDS = frozenset("""
le la les un une des du de au aux et ou est sont pas ne ni pour avec sans dans sur sous par vous votre vos
ce cette ces qui que dont il elle ils leur fichier ligne lignes colonne colonnes valeur données aucun aucune
être été doit peut veuillez ici en trop vide inconnu inconnue manquant manquante mal""".split())
#: English words an English msgid is made of
ENGLISH_WORDS = frozenset("""
the a an of to in on at by for from with without and or not no is are was be been this that these it its your
you can cannot must has have there which what when""".split())
#: French names kept in English texts (administrative levels, proper names)
FRENCH_NAMES = frozenset("département départements dép région géo ide".split())
_QUOTED = re.compile(r'"[^"]*"|«[^»]*»|“[^”]*”')
_MARKUP = re.compile(r"\{[^}]*\}|%\([^)]*\)\w|<[^>]+>|https?://\S+|Grand ?Est")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ACCENT = re.compile(r"[àâäçéèêëîïôöùûüÿœæ]")


def looks_french(text: str) -> bool:
    """A msgid reads as French: more French words than English ones, or an accented word (not a French name)
    with no English word. Quoted values (« Oui », "Finances locales") and placeholders are not read."""
    words = [w.lower() for w in _WORD.findall(_MARKUP.sub(" ", _QUOTED.sub(" ", text)))]
    french = sum(1 for w in words if w in FRENCH_WORDS or re.match(r"^(l|d|n|qu|s|c)['’]", w))
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    accented = [w for w in words if _ACCENT.search(w) and w not in FRENCH_NAMES]
    return french > english or (bool(accented) and english == 0)


def test_the_french_detector_tells_french_from_english():
    assert looks_french("La ligne {row} est entièrement vide.")
    assert looks_french("Fichier refusé")
    assert looks_french("{n} ressource(s) sur {total}")
    assert not looks_french("Row {row} is entirely empty.")
    assert not looks_french("All départements")
    assert not looks_french('Write "true" or "false" (or "oui"/"non" if the schema allows it), with no other text.')


@pytest.mark.parametrize("pot", POTS, ids=lambda p: p.stem)
def test_message_ids_are_english(pot: Path):
    with open(pot, "rb") as f:
        ids = [s for m in read_po(f) if m.id for s in (m.id if isinstance(m.id, (tuple, list)) else (m.id,))]
    french = [s for s in ids if looks_french(s)]
    assert not french, f"{len(french)} French msgid(s) in {pot.name} (msgids are English): {french[:10]}"


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
