"""The neutrality charts: one altair definition each, drawn as static, script-free SVG in the HTML report.

The report's figures must be exactly the shared builders' charts rendered by vl-convert (the app
shows the same builders; tests/test_app.py checks that side), hold the report's figures, be
labelled for screen readers, and never let a hostile name become markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from matching.core.domain import Appointment, Dataset, Mediator, Tradition
from matching.reports import charts
from matching.reports.charts import UnsafeSvgError, chart_svg, roster_charts, share_chart
from matching.reports.flags import Thresholds, all_flags, flags_table
from matching.reports.html import render_report
from matching.reports.neutrality import RosterReport, ShareRow, roster_report, roster_tables
from tests.test_reports import load_fixture

HOSTILE = ("<script>alert(1)</script>", '"onload=alert(1) x="')
TITLES = {
    "un_group": "Seats by UN regional group",
    "nationality": "The 6 nationalities with most seats",
    "legal_tradition": "Seats by legal tradition",
    "gender": "Seats by gender",
    "lorenz": "Concentration of seats (Lorenz curve)",
    "seats_per_year": "Seats per year by UN regional group",
}


@pytest.fixture(scope="module")
def report() -> RosterReport:
    return roster_report(load_fixture())


@pytest.fixture(scope="module")
def report_page(report: RosterReport) -> str:
    flags = all_flags(report, [])
    return render_report(report, [], flags, [*roster_tables(report), flags_table(flags)])


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)


def parse(svg: str) -> ET.Element:
    """An inlined SVG read as XML (it has no namespace declaration once inlined)."""
    return ET.fromstring(svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1))


def test_every_chart_of_the_report_is_there_as_svg(report: RosterReport, report_page: str) -> None:
    assert list(roster_charts(report)) == list(TITLES)
    drawn = svgs(report_page)
    assert len(drawn) == len(TITLES)
    for title, svg in zip(TITLES.values(), drawn, strict=True):
        root = parse(svg)  # well-formed
        assert (root.attrib["role"], root.attrib["aria-label"]) == ("img", title)
        assert f"<title>{title}</title>" in svg


def test_the_report_draws_the_shared_chart_definitions(report: RosterReport, report_page: str) -> None:
    """Each figure is exactly the shared builder's chart for this report, rendered by vl-convert."""
    for chart in roster_charts(report, Thresholds()).values():
        assert chart_svg(chart) in report_page


def test_the_report_is_script_free(report_page: str) -> None:
    lowered = report_page.lower()
    for marker in ("<script", "javascript:", "<foreignobject", "<iframe", "http://", "https://", "xlink:href"):
        assert marker not in lowered, marker
    for svg in svgs(report_page):
        for element in parse(svg).iter():
            assert not any(name.lower().startswith("on") for name in element.attrib), element.attrib


def test_ids_are_unique_across_the_inlined_charts(report_page: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', report_page)
    assert len(ids) == len(set(ids))


def test_charts_hold_the_reports_figures(report_page: str) -> None:
    groups, nationality, traditions, gender, lorenz, years = svgs(report_page)
    # African Group: 4 of 12 seats, 1 of 6 mediators on the roster; threshold 35 % named in the subtitle
    assert ">African Group</text>" in groups and ">33.3 %</text>" in groups and ">16.7 %</text>" in groups
    assert "flag above 35.0 %" in groups
    assert ">Kenya (KEN)</text>" in nationality and ">Poland (POL)</text>" in nationality
    assert ">Civil law</text>" in traditions
    assert ">58.3 %</text>" in gender and "flag for women below 30.0 %" in gender  # 7 of 12 seats held by women
    assert "Gini coefficient" in lorenz
    assert all(f">{year}</text>" in years for year in range(2021, 2026))


def test_thresholds_in_force_move_the_threshold_line(report: RosterReport) -> None:
    spec = charts.spec_of(charts.un_group_chart(report, Thresholds(un_group_share_above=0.2)))
    rule = spec["layer"][-1]
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"][0]["share"] == 0.2
    assert spec["title"]["subtitle"] == ["dashed red line: flag above 20.0 %"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_stay_text_in_a_chart(name: str) -> None:
    rows = [ShareRow("X", name, 1, 0.5, 0.25, None, 1), ShareRow("Y", "Plain", 1, 0.5, 0.75, None, 1)]
    svg = chart_svg(share_chart(name, rows, member=False, threshold=(0.4, name)))
    assert "<script" not in svg
    assert '"onload=' not in "".join(re.findall(r"<[^>]*>", svg))  # a quote never closes an attribute
    root = parse(svg)
    assert root.attrib["aria-label"] == name  # the label carries the text, escaped in the markup
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert name in texts
    for element in root.iter():
        assert not any(attr.lower().startswith("on") for attr in element.attrib)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_mediator_names_are_escaped_in_the_report(name: str) -> None:
    person = Mediator(
        mediator_id="M1",
        name=name,
        nationalities=("KEN",),
        gender="F",
        languages=frozenset({"en"}),
        legal_traditions=frozenset({Tradition.COMMON}),
        expertise={},
    )
    data = Dataset(
        mediators=(person, replace(person, mediator_id="M2", name="Other")),
        disputes=(),
        appointments=(Appointment("M1", "H1", "ETH", date(2024, 1, 1)),),
    )
    report = roster_report(data)
    flags = all_flags(report, [])
    page = render_report(report, [], flags, [*roster_tables(report), flags_table(flags)])
    assert "<script" not in page
    assert '"onload=' not in page
    assert name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in page
    assert len(svgs(page)) == len(TITLES)


def test_an_svg_that_could_run_code_is_refused(report: RosterReport, monkeypatch: pytest.MonkeyPatch) -> None:
    import vl_convert

    for evil in (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><g/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    ):
        monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec, evil=evil: evil)
        with pytest.raises(UnsafeSvgError):
            chart_svg(charts.gender_chart(report))


def test_the_library_draws_no_chart_until_asked() -> None:
    """altair and vl-convert are slow to import: importing the report modules must not import them."""
    import subprocess
    import sys

    code = (
        "import sys, matching.reports.html, matching.reports.charts, matching.api; "
        "print(sorted(m for m in ('altair', 'vl_convert', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout
