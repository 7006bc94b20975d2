"""English left on a French page: the words a visitor reads (text, and the ``title``, ``aria-label``,
``placeholder``, ``alt`` attributes and button values that browsers and screen readers give them).

A word-level heuristic, no language detection: a piece of text is English when it holds a word of
:data:`ENGLISH`, a small lexicon of English function words and interface words that are not French words (French
homographs such as « a », « on », « or », « an », « as », « but », « son », « date », « page », « public »,
« format », « type », « total », « description », « source », « version » are left out on purpose). Proper
nouns, format names and other names that are the same in French are removed first (:data:`ALLOWED`, reviewed:
each entry says why). Text that the page itself marks as another language (``lang="en"``, RGAA criterion 8.7)
and code (``code``, ``pre``, ``script``, ``style``) is not French text and is not read.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

#: English words that are not French words. Function words first, then the words of a portal's interface.
ENGLISH = frozenset("""
the and of to with without your you yours is are was were be been being will would can could should must may
have has had this that these those there their they them which what when where who whom why how into from
about after before only also any some every each other others than then here just not now please sorry yes no
if it its our we he she his her my by at in for all more less new next previous back
dataset datasets resource resources organization organizations group groups search searching results result
found filter filters filtered sorted order login log logged sign signed register password username user users
account profile settings dashboard submit cancel save saving delete deleted edit editing update updated create
created add added remove removed view views show hide skip upload uploaded download files link links name title
license home members member role roles error errors forbidden unauthorized denied required optional help reset
request requests requested review approve reject state draft modified followers follow following activity
stream key value language toggle breadcrumb close clear apply select selected choose enter unknown none
everything nothing something welcome sysadmin admin
""".split())

#: Names that stay as they are in French text, removed before the words are read (reviewed list):
ALLOWED = (
    # the portal, the region and the public services it talks to (proper nouns)
    "DataGrandEst", "data.gouv.fr", "Grand Est", "Géo Grand Est",
    # software and standards named in the interface (proper nouns / acronyms)
    "CKAN", "API", "DCAT-AP", "DCAT", "RDF", "Turtle", "JSON-LD", "Markdown", "frictionless", "Table Schema",
    # file format names (the same word in French)
    "CSV", "XLSX", "XLS", "JSON", "GeoJSON", "ODS", "XML", "PDF", "ZIP", "URL",
    # licence titles as their authors publish them (the licence's own name, not interface text)
    "Open Licence", "Open Data Commons Open Database License (ODbL)", "Open Database License",
    "Creative Commons Attribution Share-Alike", "Creative Commons Attribution", "Creative Commons CCZero",
    "Creative Commons", "CC-BY-SA", "CC-BY",
    # Font Awesome / Bootstrap hide texts that are the same in French
    "Facebook", "LinkedIn", "Mastodon",
)

#: French words written without their accents (a catalog typo, e.g. CKAN's « Filtrer les resultats »). Not the
#: verbs that are spelt that way (« il modifie », « supprime », « les enregistre »): only their participles
UNACCENTED = frozenset("""
resultats resultat parametres parametre donnees telecharger telechargement creer cree creee modifiee
precedent precedente deja etat acces supprimee enregistree generees generes categorie
""".split())

#: English that CKAN core still shows and that catalogs cannot reach yet (NOT French: a known gap, listed so that
#: the crawl catches anything new; each one is a follow-up of issue #13):
#: - plural messages of CKAN core (« {num} Member », « %(count)s dataset found. »): an override in our catalogs
#:   would replace CKAN's German with English (tests/test_i18n.py), they need template overrides;
#: - the activity type names of ckanext-activity's selector (``type_ | title``, no gettext), whose template
#:   differs between CKAN 2.11 and 2.12;
#: - the group pages (/group/new): groups are not used by the portal, the link should go;
#: - /harvest/new (ckanext-harvest's source/new_source_form.html): its « Save » button is a literal
#:   (``value="Save"``, outside any block) and the harvesters' descriptions are shown as ckanext-dcat's ``info()``
#:   returns them (``title="{{ harvester['description'] }}"``), so no catalog reaches them: a copy of the whole form
#:   would be needed.
KNOWN_GAPS = tuple(re.compile(p) for p in (
    r"^\d+ Members?$", r"^\d+ datasets? found\.?$", r'^\d+ datasets? found for ".*"\.?$',
    r"^(New|Changed|Deleted|Follow) (Package|Organization|Resource View|Dataset|Group|User)$",
    r"^my-group$", r"^Save$", r"^Harvester for DCAT datasets from an RDF graph$",
))

_ALLOWED = re.compile("|".join(re.escape(a) for a in sorted(ALLOWED, key=len, reverse=True)), re.IGNORECASE)
#: words of letters (French accents included) with inner apostrophes or hyphens
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "svg", "math", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_ATTRS = ("title", "aria-label", "placeholder", "alt", "data-bs-title")


#: addresses, paths, query strings and identifiers (« /dataset/ », « ?organization= », « ERP_CATEGORIE »,
#: « CC_BY_4_0 »): code, not words of a language
_CODE = re.compile(r"\S*(?:://|/|=|_|@)\S*")
#: identifiers where letters touch digits (a dataset id « 28d6ae6c-51e1-49be-… », a hash): not words either, even
#: when a piece of them spells one (« 49be »)
_MIXED = re.compile(r"\S*(?:\d[^\W\d_]|[^\W\d_]\d)\S*")


def english_words(text: str) -> list[str]:
    """The words of ``text`` that are English, or French missing its accents (lower case), after removing the
    allowed names."""
    text = _ALLOWED.sub(" ", _MIXED.sub(" ", _CODE.sub(" ", text)))
    out = []
    for word in _WORD.findall(text):
        # « l'organisation », « d'API »: the French elision is not part of the word
        bare = re.sub(r"^[ldjnmstcq]['’]", "", word.lower())
        for part in bare.split("-"):
            if part in ENGLISH or part in UNACCENTED:
                out.append(part)
    return out


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.pieces: list[str] = []
        self._buffer: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.pieces.append(text)
        self._buffer = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        skipped = self._skipped() or tag in _SKIP_TAGS or (bool(lang) and not lang.startswith("fr"))
        if not skipped:
            for name in _ATTRS:
                if attrs.get(name):
                    self.pieces.append(" ".join(attrs[name].split()))
            if tag == "input" and (attrs.get("type") or "").lower() in ("submit", "button", "reset") \
                    and attrs.get("value"):
                self.pieces.append(attrs["value"])
        self._flush()
        if tag not in _VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        self._flush()
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipped():
            self._buffer.append(data)


def visible_texts(html: str) -> list[str]:
    """The pieces of text of a page a visitor reads or hears, in page order."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.pieces


def english_texts(html: str) -> list[tuple[str, list[str]]]:
    """``[(text, [english words])]`` for every piece of ``html`` that is English."""
    out = []
    for text in visible_texts(html):
        if any(gap.search(text) for gap in KNOWN_GAPS):
            continue
        words = english_words(text)
        if words:
            out.append((text, words))
    return out
