"""axe-core (Deque's accessibility checker, vendored in tests/support/axe/, MPL-2.0) run in a
Playwright page: the WCAG 2.0 and 2.1 rules of levels A and AA, and what they find.

Used by tests/e2e/test_accessibility.py. axe.min.js is the npm package axe-core, unchanged
(`npm pack axe-core@4.14.1`); its licence and its third-party notices sit beside it.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).with_name("axe") / "axe.min.js"
AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}

# axe.run over the whole document, the rules of TAGS only. Frames (the drawing canvas is a
# component in an iframe of the same origin) are checked too: axe is put in each of them.
RUN_JS = """async ([kind, values]) => {
    const result = await axe.run(document, {runOnly: {type: kind, values: values},
                                            resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                    summary: n.failureSummary}))}));
}"""


def inject(page) -> None:
    """Put axe in the page and in each of its frames (once per document)."""
    for frame in page.frames:
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            frame.add_script_tag(path=str(AXE))


# No colour in the middle of a change: an element that was stale during a run fades back
# (a CSS transition of its opacity) after the run ends, and contrast read mid-fade failed once
# in a clean-clone run (the Train page's slider labels). Transitions end; spinners' animations
# loop, so only transitions are waited for.
FADED_IN_JS = """() => document.getAnimations().every(
    a => !(a instanceof CSSTransition) || a.playState !== 'running')"""


def violations(page, rules: list[str] | None = None) -> list[dict]:
    """Every violation of TAGS' rules (or of the named `rules` alone, such as AAA's
    `color-contrast-enhanced`) on the page as it is now, each with its nodes, once nothing on
    it is fading in or out."""
    inject(page)
    page.wait_for_function(FADED_IN_JS, timeout=10_000, polling=100)
    return page.evaluate(RUN_JS, ["rule", rules] if rules else ["tag", TAGS])


def serious(found: list[dict]) -> list[tuple[str, str, str]]:
    """(rule id, impact, target) of each serious or critical node in `found`."""
    return [(v["id"], n["impact"] or v["impact"], n["target"])
            for v in found for n in v["targets"] if (n["impact"] or v["impact"]) in SERIOUS]


def report(where: str, found: list[tuple[str, str, str]]) -> str:
    """The serious or critical nodes of one page as lines a person can act on."""
    return "\n".join(f"{where}: {rule} ({impact}) at {target}" for rule, impact, target in found)
