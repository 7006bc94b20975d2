"""Quality scores of grandest_validation as W3C DQV measurements (https://www.w3.org/TR/vocab-dqv/).

Scores are read through the validation plugin's actions when that plugin is enabled: one
``grandest_dataset_score_show`` per dataset (its result lists the data score of each resource), and
``grandest_resource_score_show`` only when it does not; a missing action (``KeyError``), an unknown or
unscored object gives no measurement. Each score is a dict such as the
validation engine returns ``{"total", "max", "band", "band_label", "components"|"dimensions": [{"key",
"label", "points", "max"}]}``; a dict holding several scores (``{"metadata": {...}, "data": {...}}``) gives
one set of measurements per score.

For each score::

    <dataset> dqv:hasQualityMeasurement [
        a dqv:QualityMeasurement ; dqv:computedOn <dataset> ;
        dqv:isMeasurementOf <{catalog}/dcat/quality/metadata> ;
        dqv:value "312"^^xsd:decimal ; prov:generatedAtTime "..."^^xsd:dateTime ] .
    <{catalog}/dcat/quality/metadata> a dqv:Metric ; skos:prefLabel "..."@fr ;
        skos:definition "... (sur 405)"@fr ; dqv:expectedDataType xsd:decimal .

plus one measurement per component (``.../metadata/findability``, ``dqv:inDimension`` a ``dqv:Dimension``).
"""
from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD, Namespace

from . import config
from .vocab import date_literal

log = logging.getLogger(__name__)

DQV = Namespace("http://www.w3.org/ns/dqv#")
PROV = Namespace("http://www.w3.org/ns/prov#")

DATASET_ACTION = "grandest_dataset_score_show"
RESOURCE_ACTION = "grandest_resource_score_show"
_DATE_KEYS = ("computed_at", "scored_at", "updated", "modified", "finished", "created", "timestamp", "date")
# RDF data, not interface text: the metrics' labels are written in both languages at once (@fr and @en
# literals), the same for every visitor of the feed, so they do not go through the catalog (_()).
_NAMES = {
    "metadata": ("Score de qualité des métadonnées", "Metadata quality score"),
    "data": ("Score de qualité des données", "Data quality score"),
    "score": ("Score de qualité", "Quality score"),
}


def _action(name: str):
    import ckan.plugins.toolkit as tk

    try:
        return tk.get_action(name)
    except KeyError:
        return None


def make_scores() -> "Scores | None":
    """A score reader for one feed page, or None when scores are not exported (option off, no validation)."""
    if not config.quality():
        return None
    dataset_action, resource_action = _action(DATASET_ACTION), _action(RESOURCE_ACTION)
    if dataset_action is None and resource_action is None:
        return None
    return Scores(dataset_action, resource_action)


class Scores:
    def __init__(self, dataset_action: Any, resource_action: Any) -> None:
        self.dataset_action = dataset_action
        self.resource_action = resource_action
        self.metrics_written: set[URIRef] = set()
        self._base: str | None = None
        self.chunked = False
        self.current: dict = {}
        self.current_resources: dict[str, dict] = {}

    # reading ----------------------------------------------------------------------------------------
    def _show(self, action: Any, object_id: str) -> dict | None:
        if action is None or not object_id:
            return None
        import ckan.plugins.toolkit as tk

        try:
            result = action({"ignore_auth": True}, {"id": object_id})
        except (tk.ObjectNotFound, tk.ValidationError, tk.NotAuthorized):
            return None
        except Exception:  # a broken score must never break the feed
            log.exception("reading the score of %s failed", object_id)
            return None
        return result if isinstance(result, dict) else None

    # writing ----------------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        if self._base is None:
            from ckanext.dcat.utils import catalog_uri

            self._base = catalog_uri().rstrip("/") + "/dcat/quality"
        return self._base

    def prepare(self, dataset_dict: dict) -> None:
        """Read the dataset's scores once (they list its resources' data scores too)."""
        result = dataset_dict.get("grandest_score")
        if not isinstance(result, dict):
            result = self._show(self.dataset_action, str(dataset_dict.get("id") or ""))
        self.current = result or {}
        self.current_resources = {}
        for row in self.current.get("resources") or []:
            if isinstance(row, dict) and row.get("resource_id") and _number(row.get("data_total")) is not None:
                self.current_resources[row["resource_id"]] = {
                    "data_score": {"total": row["data_total"], "max": 100, "band": row.get("data_band")},
                    "scored_at": self.current.get("scored_at"),
                }

    def dataset(self, g: Graph, ref: Any, dataset_dict: dict) -> None:
        if self.current:
            write_measurements(g, ref, {k: v for k, v in self.current.items() if k != "resources"}, self,
                               default_name="metadata")

    def resource(self, g: Graph, ref: Any, resource_dict: dict) -> None:
        result = resource_dict.get("grandest_score")
        if not isinstance(result, dict):
            result = self.current_resources.get(str(resource_dict.get("id")))
        if result is None and not self.current_resources:
            # the dataset's scores did not list its resources: ask for this one
            result = self._show(self.resource_action, str(resource_dict.get("id") or ""))
        if result:
            write_measurements(g, ref, result, self, default_name="data")


def schema_checks(dataset_dict: dict, scores: "Scores | None") -> dict[str, dict]:
    """``{resource_id: schema_check}`` of a dataset: the latest validation of each resource against its declared
    schema (grandest_validation's ``grandest_dataset_score_show``), read once per dataset whether or not the
    scores are exported. Empty without the validation plugin: then no resource is claimed conformant."""
    if scores is not None:
        result = scores.current
    else:
        result = Scores(_action(DATASET_ACTION), None)._show(_action(DATASET_ACTION),
                                                             str(dataset_dict.get("id") or ""))
    out = {}
    for row in (result or {}).get("resources") or []:
        if isinstance(row, dict) and row.get("resource_id") and isinstance(row.get("schema_check"), dict):
            out[row["resource_id"]] = row["schema_check"]
    return out


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _is_score(value: Any) -> bool:
    return isinstance(value, dict) and _number(value.get("total", value.get("score"))) is not None


def split_scores(result: dict, default_name: str) -> list[tuple[str, dict]]:
    """``[(name, score dict)]`` found in an action result (one score, or several under named keys)."""
    if _is_score(result):
        return [(str(result.get("kind_of_score") or default_name), result)]
    out = []
    for key, value in result.items():
        name = key[:-6] if key.endswith("_score") else key
        if _is_score(value):
            out.append((name, value))
    return out


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip().lower()) or "score"


def _date(result: dict, score: dict) -> Literal | None:

    for source in (score, result):
        for key in _DATE_KEYS:
            value = date_literal(source.get(key))
            if value is not None:
                return value
    return None


def write_measurements(g: Graph, ref: Any, result: dict, scores: Scores, default_name: str) -> None:
    g.bind("dqv", DQV)
    for name, score in split_scores(result, default_name):
        metric = URIRef(f"{scores.base}/{_slug(name)}")
        fr, en = _NAMES.get(name, (f"Score « {name} »", f"{name} score"))  # @fr / @en literals (data)
        _metric(g, scores, metric, fr, en, score.get("max"), dimension=None)
        when = _date(result, score)
        _measurement(g, ref, metric, _number(score.get("total", score.get("score"))), when)
        for comp in _components(score):
            key = _slug(str(comp.get("key") or comp.get("label") or ""))
            comp_metric = URIRef(f"{metric}/{key}")
            label = str(comp.get("label") or key)
            dim = URIRef(f"{metric}/dimension/{key}")
            _metric(g, scores, comp_metric, f"{fr} – {label}", f"{en} – {label}", comp.get("max"), dimension=(dim, label))
            _measurement(g, ref, comp_metric, _number(comp.get("points", comp.get("total"))), when)


def _components(score: dict) -> Iterable[dict]:
    for key in ("dimensions", "components"):
        value = score.get(key)
        if isinstance(value, list):
            return [c for c in value if isinstance(c, dict)]
    return []


def _metric(g: Graph, scores: Scores, metric: URIRef, fr: str, en: str, maximum: Any,
            dimension: tuple[URIRef, str] | None) -> None:
    if metric in scores.metrics_written and (scores.chunked or (metric, RDF.type, DQV.Metric) in g):
        return
    scores.metrics_written.add(metric)
    g.add((metric, RDF.type, DQV.Metric))
    g.add((metric, SKOS.prefLabel, Literal(fr, lang="fr")))
    g.add((metric, SKOS.prefLabel, Literal(en, lang="en")))
    top = _number(maximum)
    if top is not None:
        g.add((metric, SKOS.definition, Literal(f"{fr}, de 0 à {_fmt(top)} points.", lang="fr")))
        g.add((metric, SKOS.definition, Literal(f"{en}, from 0 to {_fmt(top)} points.", lang="en")))
    g.add((metric, DQV.expectedDataType, XSD.decimal))
    if dimension is not None:
        dim, label = dimension
        g.add((metric, DQV.inDimension, dim))
        g.add((dim, RDF.type, DQV.Dimension))
        g.add((dim, RDF.type, SKOS.Concept))
        g.add((dim, SKOS.prefLabel, Literal(label, lang="fr")))


def _fmt(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _measurement(g: Graph, ref: Any, metric: URIRef, value: Decimal | None, when: Literal | None) -> None:
    if value is None:
        return
    node = BNode()
    g.add((ref, DQV.hasQualityMeasurement, node))
    g.add((node, RDF.type, DQV.QualityMeasurement))
    g.add((node, DQV.computedOn, ref))
    g.add((node, DQV.isMeasurementOf, metric))
    g.add((node, DQV.value, Literal(_fmt(value), datatype=XSD.decimal)))
    if when is not None:
        g.add((node, PROV.generatedAtTime, when))
