"""Helpers shared by the tests (import as ``from tests.helpers import ...``)."""
from __future__ import annotations

import threading
import time


def api_post(app, action: str, token: str | None = None, status: int = 200, **data):
    """POST to /api/3/action/<action> through the app; returns the decoded JSON body."""
    headers = {"Authorization": token} if token else {}
    resp = app.post(f"/api/3/action/{action}", json=data, headers=headers, status=status)
    return resp.json


class Select2Tags:
    """A CKAN tags field (``data-module="autocomplete"`` with tags) in a real browser, whichever select2 the
    CKAN version ships: 3.5 (CKAN 2.11: ``#s2id_<field>`` container) or 4.1 (CKAN 2.12: a
    ``span.select2-container`` after the field)."""

    def __init__(self, page, field_id: str) -> None:
        self.page = page
        legacy = page.locator(f"#s2id_{field_id}")
        if legacy.count():
            self.container = legacy
            self.input = legacy.locator("input.select2-input")
            self._highlighted = ".select2-results .select2-highlighted"
            self._choice = ".select2-search-choice"
        else:
            self.container = page.locator(f"#{field_id} + span.select2-container")
            self.input = self.container.locator(".select2-search__field")
            self._highlighted = ".select2-results__option--highlighted"
            self._choice = ".select2-selection__choice"

    def add(self, word: str) -> None:
        """Type a word, wait for select2 to offer it, choose it."""
        self.input.type(word, delay=30)
        self.page.locator(self._highlighted, has_text=word).wait_for()
        self.input.press("Enter")

    def chosen(self) -> list[str]:
        """The words chosen, as shown (without select2's remove button)."""
        texts = self.container.locator(self._choice).all_inner_texts()
        return [t.replace("×", "").strip() for t in texts]


def parallel(calls):
    """Run the callables at the same moment (a barrier), each in its own thread; returns their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    spans = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        t0 = time.monotonic()
        results[i] = call()
        spans[i] = (t0, time.monotonic())

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, spans


def assert_repair_preview_of_the_messy_file(page) -> None:
    """On the repair preview page (``…/repair``) of the suite's messy CSV (Windows-1252, ``;``, French dates): the
    kinds of repair a clerk is offered and the « 5 avril 2024 » → « 2024-04-05 » cell among the changes."""
    kinds = page.locator("#repair-kinds").inner_text()
    for text in ("Encodage du texte converti en UTF-8", "Séparateur de colonnes remplacé par une virgule",
                 "Dates écrites sous la forme normalisée AAAA-MM-JJ"):
        assert text in kinds, (text, kinds)
    cells = page.locator("#repair-changes tbody tr").all_inner_texts()
    assert any("5 avril 2024" in row and "2024-04-05" in row for row in cells), cells

