"""Accessibility checked by a real tool: axe-core, injected into a page that Playwright drives.

axe-core is a test tool from the npm registry, never served by the helpdesk: `scripts/ensure-axe`
(run by `scripts/test`) installs the version pinned in tests/browser/npm/package-lock.json. A page
passes when axe finds no violation of impact "serious" or "critical" under the WCAG 2.x A and AA
rules and axe's best practices (among them "label-content-name-mismatch", WCAG 2.5.3: a control's
visible text is part of its accessible name).

Use it from any browser test: ``assert_accessible(page, "the console")``.
"""

from __future__ import annotations

import json

import pytest

from tests.servers import ROOT

AXE_SCRIPT = ROOT / "tests" / "browser" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core is not installed at {AXE_SCRIPT.relative_to(ROOT)}: the accessibility checks need it. "
            "Run `bash scripts/ensure-axe` (npm ci in tests/browser/npm; `make test` does it)."
        )
    return AXE_SCRIPT.read_text()


def axe_run(page, *, include: str | None = None) -> list[dict]:
    """The violations axe finds on ``page`` (or in the elements matching ``include``), every impact.

    The script is evaluated through the DevTools protocol, so no Content-Security-Policy of the
    page under test has to allow it. axe reaches into open shadow roots (the widget's).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "async ([include, options]) => (await axe.run(include ? {include: [include]} : document, options)).violations",
        [include, options],
    )
    return result


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page, what: str, *, include: str | None = None) -> None:
    """Fail when axe finds a serious or critical violation on the page (``what`` names it)."""
    blocking = [v for v in axe_run(page, include=include) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core finds serious or critical violations on {what}:\n{describe(blocking)}"
