"""axe-core (npm, dev/axe; installed by ``dev/setup.sh --browser``) run in a real page: RGAA-relevant checks.

``violations(page)`` injects axe into the page and returns the violations of impact ``critical`` or ``serious``
(WCAG 2.x A/AA rules and best practices); ``assert_accessible(page, where)`` fails naming each rule, its help
and the first nodes. The journey's browser tests call it at 1280 px and at 390 px wide (a phone).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[1] / "dev" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


def violations(page: Any) -> list[dict[str, Any]]:
    """The critical and serious axe-core violations of the page as it is now."""
    assert AXE.exists(), f"axe-core is missing ({AXE}): run dev/setup.sh --browser"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'],
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || ''))}));
    }""")
    return [v for v in result if v["impact"] in BLOCKING]


def no_horizontal_overflow(page: Any) -> bool:
    """Whether the page fits its viewport's width (no horizontal scrolling of the page itself)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def overflowing(page: Any) -> list[str]:
    """The innermost elements that reach past the viewport's right edge (what widens the page), for the message."""
    return page.evaluate("""() => {
        const w = window.innerWidth, out = [];
        const wide = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; };
        for (const el of [document.body, ...document.body.querySelectorAll('*')]) {
            // a box past the edge, or text spilling out of its box (not in the box's own size)
            const spills = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible' &&
                el.getBoundingClientRect().left + el.scrollWidth > w + 1;
            if (!spills && (!wide(el) || [...el.children].some(wide))) continue;
            out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                     (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                     ' right=' + Math.round(el.getBoundingClientRect().right));
            if (out.length >= 6) break;
        }
        return out;
    }""")


def assert_accessible(page: Any, where: str, *, widths: tuple[int, ...] = (1280, 390)) -> None:
    """0 critical and 0 serious axe-core violations, and no horizontal overflow, at each width."""
    size = page.viewport_size or {"width": 1280, "height": 900}
    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": size["height"]})
            for v in violations(page):
                problems.append(f"{where} @{width}px: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")
            if not no_horizontal_overflow(page):
                page.wait_for_timeout(500)  # scripts that answer the resize (select2 widths) have run: measure again
            if not no_horizontal_overflow(page):
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                problems.append(f"{where} @{width}px: the page is {wide}px wide (horizontal overflow): "
                                f"{overflowing(page)}")
    finally:
        page.set_viewport_size(size)
    assert not problems, "\n".join(problems)
