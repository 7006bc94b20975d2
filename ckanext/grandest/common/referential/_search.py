"""In-memory autocompletion index over commune names, INSEE codes and postcodes
(and SIREN, exact match only).

Ranking: tier first, then population (largest first), then name and code.

* tier 0 -- exact: the folded name, the name without spaces, the INSEE code, a postcode
  or the SIREN
* tier 1 -- prefix of one of those
* tier 2 -- prefix of the name starting at a later word ("marie aux" -> Sainte-Marie-aux-Mines)
* tier 3 -- every query word is a prefix of some word of the name, a code or a postcode,
  in any order ("mines marie", "strasbourg 67000")

Queries are folded like names (case, accents, hyphens, apostrophes) and "st", "ste" are
also tried as "saint", "sainte". Lower tiers are only searched while the higher ones
return fewer than ``limit`` communes.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from ._text import ABBREVIATIONS, fold

_MAX_WORDS = 8
_END = "\x7f"  # sorts after every folded character


class _Sorted:
    """Keys in sorted order with the item indexes of each, answering prefix queries
    with two bisections."""

    __slots__ = ("keys", "starts", "values")

    def __init__(self, mapping: dict[str, list[int]]):
        self.keys = sorted(mapping)
        self.starts = [0] * (len(self.keys) + 1)
        self.values: list[int] = []
        for j, key in enumerate(self.keys):
            self.values.extend(mapping[key])
            self.starts[j + 1] = len(self.values)

    def prefixed(self, prefix: str) -> list[int]:
        lo = bisect_left(self.keys, prefix)
        hi = bisect_left(self.keys, prefix + _END, lo)
        return self.values[self.starts[lo]:self.starts[hi]]


class SearchIndex:
    def __init__(self, entries: Sequence[tuple[str, Sequence[str], Sequence[str], int]]):
        """``entries``, one per item in item order: (name, codes matched exactly and by
        prefix -- INSEE code, postcodes --, codes matched exactly only -- SIREN --, population)."""
        exact: dict[str, list[int]] = {}
        heads: dict[str, list[int]] = {}  # tiers 0/1
        tails: dict[str, list[int]] = {}  # tier 2
        words: dict[str, list[int]] = {}  # tier 3
        sort_keys = []
        for i, (name, codes, exact_only, population) in enumerate(entries):
            parts = fold(name).split()
            spaced = " ".join(parts)
            sort_keys.append((-population, spaced, codes[0] if codes else ""))
            for key in {spaced, "".join(parts), *codes}:
                heads.setdefault(key, []).append(i)
            for key in exact_only:
                exact.setdefault(key, []).append(i)
            for j in range(1, len(parts)):
                tails.setdefault(" ".join(parts[j:]), []).append(i)
            for key in {*parts, *codes}:
                words.setdefault(key, []).append(i)
        for key, items in heads.items():
            exact.setdefault(key, []).extend(items)
        order = sorted(range(len(entries)), key=sort_keys.__getitem__)
        self._rank = [0] * len(entries)
        for rank, i in enumerate(order):
            self._rank[i] = rank
        self._size = len(entries)
        self._exact = exact
        self._heads = _Sorted(heads)
        self._tails = _Sorted(tails)
        self._words = _Sorted(words)

    def search(self, text: str, limit: int) -> list[int]:
        """Indexes of the best ``limit`` items for ``text``, best first."""
        words = fold(text).split()[:_MAX_WORDS]
        if not words or limit <= 0:
            return []
        variants = [words]
        expanded = [ABBREVIATIONS.get(w, w) for w in words]
        if expanded != words:
            variants.append(expanded)

        best: dict[int, int] = {}

        def add(indexes: Iterable[int], tier: int) -> None:
            for i in indexes:
                if best.get(i, 4) > tier:
                    best[i] = tier

        for v in variants:
            spaced, compact = " ".join(v), "".join(v)
            add(self._exact.get(spaced, ()), 0)
            add(self._exact.get(compact, ()), 0)
            add(self._heads.prefixed(spaced), 1)
            if compact != spaced:
                add(self._heads.prefixed(compact), 1)
        if len(best) < limit:
            for v in variants:
                add(self._tails.prefixed(" ".join(v)), 2)
        if len(best) < limit and len(words) > 1:
            for v in variants:
                found: set[int] | None = None
                for w in sorted(set(v), key=len, reverse=True):
                    hits = set(self._words.prefixed(w))
                    found = hits if found is None else found & hits
                    if not found:
                        break
                add(found or (), 3)

        size, rank = self._size, self._rank
        return heapq.nsmallest(limit, best, key=lambda i: best[i] * size + rank[i])
