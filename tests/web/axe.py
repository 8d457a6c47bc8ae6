"""Accessibility checks of the pages with axe-core (the npm package pinned in scripts/node), run inside the page.

`assert_accessible(page, name)` injects axe.min.js into a Playwright page, runs it on the whole document (rules
of WCAG 2.0/2.1/2.2 A and AA, the basis of the RGAA, plus axe's best practices) and fails on any serious or
critical violation, naming each rule, its help text and the first offending elements. Every result is also
written to `test-artifacts/web/axe/<name>.json`, so minor and moderate findings can be read too.

The pages' Content-Security-Policy (`script-src 'self'`) refuses an injected script: open the page in a context
made with `bypass_csp=True` (the `page` fixture of test_browser.py does). Call it once the page is in the state
to check (scripts done, dynamic content shown): axe only sees what the DOM holds.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "scripts" / "node" / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "test-artifacts" / "web" / "axe"
BLOCKING = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_available() -> None:
    """Fail (never skip) without axe-core: scripts/test installs it, and a silent pass would prove nothing."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing ({AXE_JS}): run `source scripts/node.sh && ensure_node_modules`")


def run_axe(page) -> dict:
    axe_available()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            window.axe.configure({locale: {lang: 'fr'}});
            return await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        }""",
        TAGS,
    )


def counts_by_impact(results: dict) -> dict[str, int]:
    """Violations (rules broken, each counted once per offending element) by impact."""
    counts = {"minor": 0, "moderate": 0, "serious": 0, "critical": 0}
    for violation in results["violations"]:
        counts[violation["impact"] or "minor"] += len(violation["nodes"])
    return counts


def assert_accessible(page, name: str) -> dict[str, int]:
    """No serious or critical axe-core violation on the page as it stands; returns the counts by impact."""
    results = run_axe(page)
    REPORTS.mkdir(parents=True, exist_ok=True)
    counts = counts_by_impact(results)
    report = {"url": page.url, "compte": counts, "violations": results["violations"]}
    (REPORTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    details = [
        f"{v['impact']} {v['id']}: {v['help']} -> " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in blocking
    ]
    assert not blocking, f"axe-core on {name} ({page.url}):\n" + "\n".join(details)
    return counts
