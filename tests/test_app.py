"""The Streamlit app, driven headless through streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_registrar_page_proposes_panels_for_a_dispute() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    at.selectbox[0].set_value("D001").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("proven the best possible" in s.value for s in at.success)
    assert any(h.value.startswith("Panel 1") for h in at.subheader)


def test_registrar_page_explains_an_infeasible_dispute() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox[0].set_value("D027").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("No panel keeps every rule" in e.value for e in at.error)
    assert any("H4" in m.value for m in at.markdown)


def test_data_page_shows_the_validated_roster() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("ui/data.py").run()
    assert not at.exception
    assert at.title[0].value == "Roster and disputes"
    roster = at.dataframe[0].value
    assert len(roster) == 600 and {"id", "nationalities", "UN group"} <= set(roster.columns)
