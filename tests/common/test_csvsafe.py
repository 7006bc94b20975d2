"""Cells a spreadsheet would read as formulas are neutralised in every CSV the suite writes."""
from __future__ import annotations

import csv
import io

import pytest

from ckanext.grandest.common import csvsafe


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example","x")', "+33 3 88", "-1+2", "@SUM(A1:A2)",
                                   "\tcmd", "\rcmd"])
def test_formula_cells_get_an_apostrophe(value):
    out = io.StringIO()
    csvsafe.writer(out).writerow([value, 12, -3, None, "Commune de Barr"])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'" + value, "12", "-3", "", "Commune de Barr"]


def test_plain_csv_writer_would_have_let_it_through():
    out = io.StringIO()
    csv.writer(out).writerow(["=1+1"])
    assert out.getvalue().startswith("=1+1")
    out = io.StringIO()
    csvsafe.writer(out).writerows([["=1+1"], ["ok"]])
    assert out.getvalue().splitlines() == ["'=1+1", "ok"]
