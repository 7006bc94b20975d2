"""Parsing untrusted XML (CSW responses, ISO 19139 records) without XXE or entity expansion.

Two locks, both needed:

* :func:`ckanext.grandest.harvest.rdf.check_xml` refuses, before any parsing, a document with an external DTD,
  an external or parameter entity, entities that refer to other entities (billion laughs) or whose expansion
  would be too large;
* lxml then parses with entity resolution, DTD loading and network access off and ``huge_tree`` off (libxml2's
  own limits on depth and text size stay in force).

Why not defusedxml: its lxml support (``defusedxml.lxml``) is deprecated since defusedxml 0.6 and will be
removed (its README: "The module is deprecated and will be removed in a future release"; lxml is to be made
safe through its own parser options, which is what :func:`_parser` does). defusedxml's maintained parsers wrap
the standard library's ``xml.etree``/``xml.sax``/``xml.dom``, not lxml, and the CSW and ISO 19139 readers need
lxml's XPath with namespaces. The refusals are tested in ``tests/harvest/test_fetch_rdf.py``
(``test_xml_entity_checks``: external DTD, external and parameter entities, billion laughs, entity floods) and
``tests/harvest/test_hostile_formats.py``.
"""
from __future__ import annotations

from lxml import etree  # pyright: ignore[reportAttributeAccessIssue]  # lxml.etree is compiled, without type stubs

from ckanext.grandest.harvest import rdf as hrdf
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse(content: bytes, url: str) -> etree._Element:
    """The root element; :class:`~ckanext.grandest.harvest.rdf.FeedError` (French) if unsafe or unreadable."""
    hrdf.check_xml(content)
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as e:
        raise hrdf.FeedError(_("The answer of {url} is not well-formed XML: {error}").format(
            url=url[:200], error=str(e)[:300]))
    if root is None:
        raise hrdf.FeedError(_("The feed at {url} is empty.").format(url=url[:200]))
    return root


def root_name(content: bytes) -> tuple[str | None, str | None]:
    """(namespace, local name) of the first element of an XML document, read from its first bytes only
    (no parsing, so nothing is resolved): used to recognise a CSW answer or an ISO record."""
    import re

    head = content[:8192]
    pos = 0
    while True:
        m = re.compile(rb"<([A-Za-z_][\w.-]*)(?::([\w.-]+))?([^>]*)>", re.S).search(head, pos)
        if not m:
            return None, None
        if head[m.start() + 1:m.start() + 2] in (b"?", b"!"):
            pos = m.end()
            continue
        prefix, local, attrs = m.group(1), m.group(2), m.group(3)
        if local is None:
            local, prefix = prefix, None
        attr = b"xmlns:" + prefix + b"=" if prefix else b"xmlns="
        ns = None
        mm = re.search(re.escape(attr) + rb"[\"']([^\"']*)[\"']", attrs)
        if mm:
            ns = mm.group(1).decode("utf-8", "replace")
        return ns, local.decode("utf-8", "replace")
