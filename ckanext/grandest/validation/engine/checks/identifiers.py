"""French identifiers and codes, one cell at a time: SIRET, SIREN (python-stdnum's check digits, La Poste's
SIRETs included), year intervals, the acts nomenclature, INSEE commune codes and postcodes (frformat)."""
from __future__ import annotations

import re
from typing import Any, ClassVar

import attrs
from frictionless import errors
from stdnum.fr import siren, siret

from ..messages import N_, _
from .base import (
    CodeCommuneInseeError,
    CodePostalError,
    NomenclatureActesError,
    SingleColumnCheck,
    SirenError,
    SiretError,
    YearIntervalError,
    cell_error,
)


@attrs.define(kw_only=True, repr=False, slots=False)
class SiretCheck(SingleColumnCheck):
    type: ClassVar[str] = "french-siret-value"
    Errors: ClassVar[list] = [SiretError]

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        text = str(value).strip()
        if not siret.is_valid(text):
            return cell_error(SiretError, row, self.column, _(N_("invalid SIRET number")))
        return None


@attrs.define(kw_only=True, repr=False, slots=False)
class SirenCheck(SingleColumnCheck):
    type: ClassVar[str] = "french-siren-value"
    Errors: ClassVar[list] = [SirenError]

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if not siren.is_valid(str(value).strip()):
            return cell_error(SirenError, row, self.column, _(N_("invalid SIREN number")))
        return None


_YEAR_INTERVAL_RE = re.compile(r"^(\d{4})/(\d{4})$")
_YEAR_RE = re.compile(r"^\d{4}$")


@attrs.define(kw_only=True, repr=False, slots=False)
class YearIntervalCheck(SingleColumnCheck):
    type: ClassVar[str] = "year-interval-value"
    Errors: ClassVar[list] = [YearIntervalError]
    allow_year_only: bool = False

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        text = str(value).strip()
        if self.allow_year_only and _YEAR_RE.match(text):
            return None
        match = _YEAR_INTERVAL_RE.match(text)
        if not match:
            note = (
                _(N_("expected format: YYYY or YYYY/YYYY"))
                if self.allow_year_only
                else _(N_("expected format: YYYY/YYYY"))
            )
            return cell_error(YearIntervalError, row, self.column, note)
        first, second = int(match.group(1)), int(match.group(2))
        if first == second:
            return cell_error(YearIntervalError, row, self.column, _(N_("the two years must be different")))
        if second < first:
            return cell_error(
                YearIntervalError, row, self.column, _(N_("the second year must be after the first one"))
            )
        return None


@attrs.define(kw_only=True, repr=False, slots=False)
class NomenclatureActesCheck(SingleColumnCheck):
    type: ClassVar[str] = "nomenclature-actes-value"
    Errors: ClassVar[list] = [NomenclatureActesError]

    def _setup(self) -> None:
        from frformat import NomenclatureActe

        self._format = NomenclatureActe()

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        valid, details = self._format.is_valid_with_details(str(value))
        if valid:
            return None
        return cell_error(NomenclatureActesError, row, self.column, "; ".join(details or []))


@attrs.define(kw_only=True, repr=False, slots=False)
class CodeCommuneInseeCheck(SingleColumnCheck):
    type: ClassVar[str] = "code-commune-insee-value"
    Errors: ClassVar[list] = [CodeCommuneInseeError]

    def _setup(self) -> None:
        from frformat import CodeCommuneInsee, Millesime

        self._is_valid = CodeCommuneInsee(Millesime.LATEST).is_valid

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if not self._is_valid(str(value).strip()):
            return cell_error(CodeCommuneInseeError, row, self.column, _(N_("unknown INSEE commune code")))
        return None


@attrs.define(kw_only=True, repr=False, slots=False)
class CodePostalCheck(SingleColumnCheck):
    type: ClassVar[str] = "code-postal-value"
    Errors: ClassVar[list] = [CodePostalError]

    def _setup(self) -> None:
        from frformat import CodePostal

        self._is_valid = CodePostal().is_valid

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if not self._is_valid(str(value).strip()):
            return cell_error(CodePostalError, row, self.column, _(N_("unknown postcode")))
        return None
