"""The Streamlit app, driven headless through streamlit's AppTest: each page's logic.

Every test points the app at its own decisions database (``DATABASE_URL``) holding no decision and
one account per role (``PEOPLE``), and signs in as the registrar unless it says otherwise; the demo
data is the data in use unless a test uploads other files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text, update
from streamlit.testing.v1 import AppTest

import matching.records.store as store_module
import matching.records.users as accounts
from matching.core.config import Locks, SolveConfig
from matching.core.paths import demo_dir
from matching.io.loading import load_folder
from matching.io.rulesets import load_rule_set
from matching.lottery.dispute import dispute_lottery
from matching.lottery.engine import draw_ticket
from matching.panel.service import propose
from matching.records.ledger import events
from matching.records.store import DecisionStore, NewDecision, SeatRecord, capacity_left, decision_from_panel
from matching.records.tables import SessionRow
from matching.records.users import DEMO_ACCOUNTS, DEMO_PASSWORD, AccessRole, CommandLine
from matching.rules.checker import party_alignment
from matching.rules.workspace import Workspace
from tests.factories import dispute_row, mediator_row, write_inputs
from ui.common import with_recorded_load

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DEMO = demo_dir()
LOTTERY_DISPUTE = "D043"  # two mediators per panel, about 20 panels in its lottery: under a second
PASSWORD = "a long test password"
PEOPLE = {
    "Ana Registrar": AccessRole.REGISTRAR,
    "Ben Registrar": AccessRole.REGISTRAR,
    "Rita Reviewer": AccessRole.REVIEWER,
    "Adam Admin": AccessRole.ADMINISTRATOR,
}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with the smallest cost: every test adds and signs in a few accounts."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'decisions.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = DecisionStore(url)
    for name, role in PEOPLE.items():
        store.add_user(name, role, PASSWORD, by=CommandLine("tests"))
    store.close()
    return url


def session_of(db: str, name: str) -> str:
    """A session token for ``name``, as the app would hold one."""
    return DecisionStore(db).sign_in(name, PASSWORD).token


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign-in-name").set_value(name)
    at.text_input(key="sign-in-password").set_value(password)
    button(at, "Sign in").click().run()
    return at


def start(page: str | None = None, user: str | None = "Ana Registrar") -> AppTest:
    """The app, signed in as ``user`` (None: left at the sign-in page), on ``page``."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    if user is not None:
        sign_in(at, user)
        assert not at.error, [e.value for e in at.error]
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def button(at: AppTest, label: str, index: int = 0):  # type: ignore[no-untyped-def]
    found = [b for b in at.button if b.label == label]
    assert len(found) > index, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[index]


def solve(at: AppTest, dispute_id: str) -> AppTest:
    at.selectbox(key="dispute_id").set_value(dispute_id).run()
    button(at, "Find panels").click().run()
    assert not at.exception, at.exception
    return at


def panel_members(at: AppTest) -> list[list[str]]:
    """Member ids of each card, read from the lock buttons' keys (keep-/unlock-<dispute>-<rank>-<id>)."""
    cards: dict[int, list[str]] = {}
    for b in at.button:
        key = b.key or ""
        for prefix in ("keep-", "unlock-"):
            if key.startswith(prefix):
                _, rank, mid = key[len(prefix) :].rsplit("-", 2)
                cards.setdefault(int(rank), []).append(mid)
    return [cards[r] for r in sorted(cards)]


# --- registrar page -------------------------------------------------------------------------------


def test_registrar_page_proposes_panels_for_a_dispute(db: str) -> None:
    at = solve(start(), "D004")
    assert any("proven the best possible" in s.value for s in at.success)
    assert any(h.value.startswith("Panel 1 (the best panel found)") for h in at.subheader)
    members = panel_members(at)
    assert len(members) == 5 and all(len(m) == 3 for m in members)
    assert len({frozenset(m) for m in members}) == 5  # different member sets
    assert any("Why this panel" in m.value for m in at.markdown)


def test_registrar_page_searches_disputes_by_party_name(db: str) -> None:
    at = start()
    at.text_input(key="dispute_search").set_value("honduras").run()
    options = at.selectbox(key="dispute_id").options
    assert options and all("HND" in o for o in options)
    at.text_input(key="dispute_search").set_value("no such dispute").run()
    assert any("No dispute matches" in i.value for i in at.info)


def test_registrar_page_explains_an_infeasible_dispute(db: str) -> None:
    at = solve(start(), "D027")
    assert any("No panel keeps every rule" in e.value for e in at.error)
    assert any("H4" in m.value for m in at.markdown)


def test_weights_change_only_when_the_form_is_submitted(db: str) -> None:
    at = solve(start(), "D004")
    first = panel_members(at)
    at.number_input(key="w-iomed-expertise").set_value(0.0).run()
    assert panel_members(at) == first  # no new search without pressing the button
    at.number_input(key="w-iomed-expertise").set_value(0.0)
    at.number_input(key="w-iomed-diversity").set_value(3.0)
    button(at, "Find panels").click().run()
    assert not at.exception
    assert at.session_state["runs"]["D004"].rule_set.weights.expertise == 0.0
    assert panel_members(at) != first


def test_a_disputes_own_nationality_rule_wins_and_the_override_applies_otherwise(db: str) -> None:
    at = start()
    at.selectbox(key="dispute_id").set_value("D001").run()
    assert at.radio[0].disabled
    assert any("own file sets the nationality rule to **strict**" in c.value for c in at.caption)
    at.selectbox(key="dispute_id").set_value("D004").run()
    assert not at.radio[0].disabled
    at.radio[0].set_value("majority")
    button(at, "Find panels").click().run()
    assert not at.exception
    run = at.session_state["runs"]["D004"]
    assert run.rule_set.nationality_rule.value == "majority" and run.settings.nationality_rule == "majority"


def test_lock_exclude_and_chair_search_again_and_keep_the_page(db: str) -> None:
    at = solve(start(), "D004")
    target = panel_members(at)[0][1]
    name = load_folder(DEMO).mediator(target).name
    at.button(key=f"keep-D004-1-{target}").click().run()
    assert not at.exception
    assert any(f"locked in: **{name} ({target})**" in i.value for i in at.info)
    assert all(target in m for m in panel_members(at))

    at.button(key=f"drop-D004-1-{target}").click().run()
    assert not at.exception
    assert any(f"excluded: **{name} ({target})**" in i.value for i in at.info)
    assert all(target not in m for m in panel_members(at))

    chair = panel_members(at)[1][0]  # the chair of panel 2 can chair
    at.button(key=f"chair-D004-2-{chair}").click().run()
    assert not at.exception
    assert all(m[0] == chair for m in panel_members(at))  # chair first on every card
    assert any(f"chair: **{load_folder(DEMO).mediator(chair).name} ({chair})**" in i.value for i in at.info)

    button(at, "Clear all locks").click().run()
    assert not at.exception and not at.session_state["runs"]["D004"].locks.any


def test_a_chair_who_cannot_chair_is_explained(db: str) -> None:
    at = solve(start(), "D004")
    roster = load_folder(DEMO).mediators_by_id
    rank, mute = next(
        (rank, mid)
        for rank, members in enumerate(panel_members(at), start=1)
        for mid in members
        if "en" not in roster[mid].languages  # cannot chair: English is the working language
    )
    at.button(key=f"chair-D004-{rank}-{mute}").click().run()
    assert not at.exception
    assert any("No panel keeps every rule for this dispute with these locks" in e.value for e in at.error)
    assert any("Rules that together leave no panel" in m.value for m in at.markdown)


def test_recording_stores_the_decision_under_the_signed_in_name(db: str) -> None:
    at = solve(start(), "D004")
    assert any("Recorded by **Ana Registrar** (signed in)" in c.value for c in at.caption)
    assert not [t for t in at.text_input if t.label == "Your name"]  # no free-text name any more

    best = panel_members(at)[0]
    at.text_area(key="note-D004-1").set_value("Agreed at the hearing.")
    button(at, "Record decision").click().run()
    assert not at.exception
    assert any("Recorded decision #1 for D004" in s.value for s in at.success)
    assert any("Decision #1 is recorded" in s.value for s in at.success)
    assert not [b for b in at.button if b.label == "Record decision"]  # one decision per dispute

    saved = DecisionStore(db).decisions()
    assert len(saved) == 1
    d = saved[0]
    assert d.member_ids == best and d.recorded_by == "Ana Registrar" and d.note == "Agreed at the hearing."
    assert d.rule_set == "iomed" and d.scores["expertise"] > 0 and d.inputs_sha256 == load_folder(DEMO).inputs_sha256


def test_recording_a_mediator_who_has_just_run_out_of_room_is_refused(db: str) -> None:
    at = solve(start(), "D004")
    busy = panel_members(at)[0][0]
    # Meanwhile another registrar fills that mediator's remaining capacity.
    store = DecisionStore(db)
    room = capacity_left(load_folder(DEMO))[busy]
    other = session_of(db, "Ben Registrar")
    for i in range(room):
        store.record(NewDecision(f"ELSEWHERE-{i}", (SeatRecord(busy, "chair"),), "iomed"), {busy: room}, session=other)
    assert store.recorded_load()[busy] == room

    button(at, "Record decision").click().run()
    assert not at.exception
    assert any("was not recorded" in e.value and busy in e.value for e in at.error)
    assert all(busy not in m for m in panel_members(at))  # found again without them
    assert store.for_dispute("D004") is None


def test_why_not_explains_any_mediator(db: str) -> None:
    at = solve(start(), "D004")
    outsider = "M0001"
    at.selectbox(key="why-not-D004").set_value(outsider).run()
    button(at, "Explain").click().run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert outsider in text and ("cannot sit" in text or "would replace" in text or "best panel" in text)


def test_trade_off_chart_draws_the_frontier(db: str) -> None:
    at = solve(start(), "D004")
    button(at, "Draw the trade-off chart").click().run()
    assert not at.exception
    run = at.session_state["runs"]["D004"]
    assert run.frontier is not None and run.frontier.points
    assert any("on the frontier" in c.value for c in at.caption)
    assert at.get("vega_lite_chart")


def run_lottery(at: AppTest) -> AppTest:
    button(at, "Run the lottery").click().run()
    assert not at.exception, at.exception
    return at


def shown_lottery(at: AppTest, dispute_id: str):  # type: ignore[no-untyped-def]
    """The lottery the tab shows for a dispute, from the session's cache."""
    key = at.session_state["lottery_shown"][dispute_id]
    return at.session_state["lotteries"][key]


def chance_table(at: AppTest):  # type: ignore[no-untyped-def]
    return next(df.value for df in at.dataframe if "exact chance" in df.value.columns)


def test_fair_lottery_draws_a_panel_shown_beside_the_best(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.lottery

    calls: list[tuple[str, float, int, int]] = []
    library = ui.lottery.dispute_lottery

    def counted(ws, dispute_id, rule_set, floor, seed, tickets, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((dispute_id, floor, seed, tickets))
        return library(ws, dispute_id, rule_set, floor, seed, tickets, *args, **kwargs)

    monkeypatch.setattr(ui.lottery, "dispute_lottery", counted)
    at = run_lottery(solve(start(), LOTTERY_DISPUTE))
    assert calls == [(LOTTERY_DISPUTE, 0.95, 0, 1000)]
    outcome = shown_lottery(at, LOTTERY_DISPUTE)
    lottery = outcome.lottery
    assert lottery.drawn is not None and len(lottery.panels) > 1

    # The same draw as the library gives on the same data, settings and seed (the command line's solver settings).
    ws = Workspace(load_folder(DEMO))
    again = dispute_lottery(
        ws, LOTTERY_DISPUTE, load_rule_set("iomed"), 0.95, 0, 1000, config=SolveConfig(candidates=1, seed=0)
    )
    assert again.drawn is not None and again.drawn.member_ids == lottery.drawn.member_ids
    assert lottery.drawn_ticket == draw_ticket(1000, 0)

    drawn = set(lottery.drawn.member_ids)
    assert drawn in [set(p.member_ids) for p in lottery.panels]
    assert any(s.value.startswith(f"The lottery drew ticket **{lottery.drawn_ticket}** of 1000") for s in at.success)
    boxes = " ".join(m.value for m in at.markdown)
    assert "Drawn by the lottery" in boxes and "The best panel (the optimum)" in boxes
    for mid in drawn:
        assert f"({mid})" in boxes

    chances = chance_table(at)
    panel_size = ws.dispute(LOTTERY_DISPUTE).panel_size
    assert chances["chance"].sum() == pytest.approx(panel_size)
    assert set(chances[chances["in drawn panel"]]["mediator"]) == drawn
    assert list(chances["chance"]) == sorted(chances["chance"], reverse=True)
    panels = next(df.value for df in at.dataframe if "ticket numbers" in df.value.columns)
    assert len(panels) == len(lottery.panels) and panels["tickets"].sum() == 1000
    assert panels["chance"].sum() == pytest.approx(1.0)
    assert list(panels["note"]).count("drawn") == 1
    assert at.get("vega_lite_chart")
    assert any("**proven**" in m.value for m in at.markdown)
    labels = {d.label for d in at.get("download_button")}
    assert {"Download the lottery (JSON)", "Download the chances (CSV)"} <= labels
    assert outcome.document["drawn"]["ticket"] == lottery.drawn_ticket and outcome.document["run"]["seed"] == 0

    # Kept for the session: neither a rerun nor pressing the button again with the same inputs runs it again.
    at.run()
    run_lottery(at)
    assert len(calls) == 1


def test_fair_lottery_follows_the_seed_and_floor_and_can_be_recorded(db: str) -> None:
    at = run_lottery(solve(start(), LOTTERY_DISPUTE))
    first = shown_lottery(at, LOTTERY_DISPUTE).lottery
    seed = next(s for s in range(1, 100) if draw_ticket(1000, s) != first.drawn_ticket)
    at.number_input(key=f"lottery-seed-{LOTTERY_DISPUTE}").set_value(seed)
    run_lottery(at)
    second = shown_lottery(at, LOTTERY_DISPUTE).lottery
    assert second.seed == seed and second.drawn_ticket == draw_ticket(1000, seed)
    assert [p.member_ids for p in second.panels] == [p.member_ids for p in first.panels]  # same ticket list

    at.slider(key=f"lottery-floor-{LOTTERY_DISPUTE}").set_value(100)
    run_lottery(at)
    only_best = shown_lottery(at, LOTTERY_DISPUTE).lottery
    assert only_best.floor == 1.0 and only_best.threshold == only_best.optimum
    assert all(p.objective == pytest.approx(only_best.optimum) for p in only_best.panels)

    # The drawn panel goes to the Candidate panels tab by locking its members in, ready to be recorded.
    drawn = only_best.drawn
    button(at, "Show the drawn panel on the Candidate panels tab").click().run()
    assert not at.exception
    assert panel_members(at)[0] == drawn.member_ids
    assert at.session_state["runs"][LOTTERY_DISPUTE].locks.chair == drawn.member_ids[0]
    assert [b for b in at.button if b.label == "Record decision"]


def test_fair_lottery_keeps_the_registrars_locks(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.lottery

    calls: list[Locks] = []
    library = ui.lottery.dispute_lottery

    def counted(ws, dispute_id, rule_set, floor, seed, tickets, method, config, locks, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(locks)
        return library(ws, dispute_id, rule_set, floor, seed, tickets, method, config, locks, **kwargs)

    monkeypatch.setattr(ui.lottery, "dispute_lottery", counted)
    at = solve(start(), LOTTERY_DISPUTE)
    kept = panel_members(at)[0][1]
    at.button(key=f"keep-{LOTTERY_DISPUTE}-1-{kept}").click().run()
    rank, out = next(
        (rank, mid) for rank, members in enumerate(panel_members(at), start=1) for mid in members if mid != kept
    )
    at.button(key=f"drop-{LOTTERY_DISPUTE}-{rank}-{out}").click().run()
    assert not at.exception
    locks = at.session_state["runs"][LOTTERY_DISPUTE].locks
    assert locks == Locks(include=frozenset({kept}), exclude=frozenset({out}))
    assert any(
        "Your locks from the Candidate panels tab apply" in c.value and f"({kept})" in c.value for c in at.caption
    )

    run_lottery(at)
    assert calls == [locks]
    outcome = shown_lottery(at, LOTTERY_DISPUTE)
    lottery = outcome.lottery
    assert outcome.key.locks == locks and lottery.locks == locks
    assert lottery.drawn is not None and len(lottery.panels) > 1
    for panel in lottery.panels:
        assert kept in panel.member_ids and out not in panel.member_ids
    assert lottery.probabilities[kept] == 1 and lottery.probabilities[out] == 0
    assert sum(lottery.probabilities.values()) == load_folder(DEMO).dispute(LOTTERY_DISPUTE).panel_size
    assert outcome.document["locks"] == {"include": [kept], "exclude": [out], "chair": None}
    assert outcome.best is not None and kept in outcome.best.member_ids and out not in outcome.best.member_ids
    assert any(c.value.startswith("This lottery kept your locks") for c in at.caption)
    assert "The best panel with your locks (the optimum)" in " ".join(m.value for m in at.markdown)
    chances = chance_table(at)
    assert chances.loc[chances["mediator"] == kept, "chance"].tolist() == [1.0]
    assert out not in set(chances["mediator"])  # the table lists those with a chance
    # The command line has no locks: no command that would draw among other panels.
    assert any("The command line cannot apply locks" in m.value for m in at.markdown)
    assert not any("matching lottery" in c.value for c in at.code)

    # Locks are part of what the answer depends on: releasing them asks for a new run.
    button(at, "Clear all locks").click().run()
    assert not at.exception
    assert any(w.value.startswith("Your locks have changed since this lottery was run") for w in at.warning)
    run_lottery(at)
    assert calls == [locks, Locks()]
    assert shown_lottery(at, LOTTERY_DISPUTE).lottery.locks == Locks()
    assert any("python -m matching lottery" in c.value for c in at.code)


def test_fair_lottery_says_when_there_is_one_panel_or_none(db: str) -> None:
    at = run_lottery(solve(start(), "D055"))
    assert len(shown_lottery(at, "D055").lottery.panels) == 1
    assert any("Only one panel scores at least 95% of the best" in i.value for i in at.info)

    at = run_lottery(solve(start(), "D027"))
    assert shown_lottery(at, "D027").lottery.drawn is None
    assert any("so there is nothing to draw" in e.value for e in at.error)
    assert not at.get("download_button")


# --- data page ------------------------------------------------------------------------------------


def test_data_page_shows_and_filters_the_roster(db: str) -> None:
    at = start("ui/data.py")
    assert at.title[0].value == "Roster and disputes"
    roster = at.dataframe[0].value
    assert len(roster) == 600 and {"id", "nationalities", "UN group", "cases"} <= set(roster.columns)
    at.multiselect[0].set_value(["African"]).run()  # UN regional group
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < 600 and set(filtered["UN group"]) == {"African"}
    at.selectbox[0].set_value("water").run()
    at.slider[0].set_value(5).run()
    assert all("water 5" in e for e in at.dataframe[0].value["expertise"])


def _upload(at: AppTest, kind: str, path: Path) -> None:
    at.file_uploader(key=f"upload-{kind}").upload(path.name, path.read_bytes(), "text/csv")


def test_a_bad_upload_lists_every_problem_and_replaces_nothing(db: str, tmp_path: Path) -> None:
    paths = write_inputs(
        tmp_path,
        mediators=[mediator_row("M1", nationalities="XXX"), mediator_row("M1", max_cases=-1)],
        disputes=[dispute_row("D1", subject_areas="astrology")],
    )
    at = start("ui/data.py")
    _upload(at, "mediators", paths["mediators"])
    _upload(at, "disputes", paths["disputes"])
    button(at, "Check and use these files").click().run()
    assert not at.exception
    assert any("Nothing was replaced" in e.value for e in at.error)
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["file", "row", "column", "value", "problem"]
    assert {"mediators.csv", "disputes.csv"} <= set(problems["file"])
    assert {"nationalities", "max_cases", "mediator_id", "subject_areas"} <= set(problems["column"])
    assert len(at.dataframe[1].value) == 600  # still the demo roster


def test_a_clean_upload_replaces_the_data_for_this_session(db: str, tmp_path: Path) -> None:
    paths = write_inputs(
        tmp_path,
        mediators=[
            mediator_row("M1", nationalities="KEN"),
            mediator_row("M2", nationalities="GHA", gender="M"),
            mediator_row("M3", nationalities="BRA", languages="en;pt"),
        ],
        disputes=[dispute_row("D1", panel_size=1)],
    )
    at = start("ui/data.py")
    _upload(at, "mediators", paths["mediators"])
    button(at, "Check and use these files").click().run()
    assert any("Please choose the disputes file" in e.value for e in at.error)
    _upload(at, "disputes", paths["disputes"])
    button(at, "Check and use these files").click().run()
    assert not at.exception
    assert any("now in use: 3 mediators and 1 dispute." in s.value for s in at.success)
    assert len(at.dataframe[0].value) == 3

    at.switch_page("ui/registrar.py").run()
    assert at.selectbox(key="dispute_id").options == ["D1 · Water allocation on a shared river (ETH v SDN)"]
    button(at, "Find panels").click().run()
    assert not at.exception and len(panel_members(at)) == 3

    at.switch_page("ui/data.py").run()
    button(at, "Go back to the bundled demo data").click().run()
    assert len(at.dataframe[0].value) == 600


# --- review page ----------------------------------------------------------------------------------


def _record(db: str, *dispute_ids: str) -> None:
    ws = Workspace(load_folder(DEMO))
    store = DecisionStore(db)
    rules = load_rule_set("iomed")
    session = session_of(db, "Ana Registrar")
    for did in dispute_ids:
        result = propose(ws, did, rules, extra_load=store.recorded_load())
        new = decision_from_panel(ws, did, result.panels[0], rules, result=result, note="note")
        store.record(new, capacity_left(ws.data), session=session)


def test_review_page_without_decisions_says_so(db: str) -> None:
    at = start("ui/review.py")
    assert any("No decision has been recorded yet" in i.value for i in at.info)


def test_review_page_shows_who_sits_per_panel_and_overall(db: str) -> None:
    _record(db, "D002", "D004")
    at = start("ui/review.py")
    assert [m.value for m in at.metric][:3] == ["2", "8", "8"]
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 8  # four across all decisions, four for the chosen panel
    tables = [df.value for df in at.dataframe]
    composition = next(t for t in tables if {"dimension", "value", "seats", "share"} <= set(t.columns))
    assert set(composition["dimension"]) == {"nationality", "UN regional group", "legal tradition", "gender"}
    assert composition[composition["dimension"] == "gender"]["seats"].sum() == 8
    assert any("Bloc alignment with each party" in m.value for m in at.markdown)
    assert any(d.label == "Download all decisions (CSV)" for d in at.get("download_button"))
    assert any(d.label == "Download the report (HTML)" for d in at.get("download_button"))
    assert any(m.value.startswith("**Flags (") for m in at.markdown)


def test_review_page_compares_a_panel_with_the_best_and_most_neutral(db: str) -> None:
    _record(db, "D004")
    at = start("ui/review.py")
    button(at, "Compare with the best and the most neutral panel").click().run()
    assert not at.exception
    assert any("the most neutral panel reachable" in m.value for m in at.markdown)


def test_review_page_and_report_draw_the_same_charts(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster charts on the review page are the shared builders' charts, spec for spec, and the
    HTML report inlines those very charts as SVG."""
    import streamlit

    from matching.reports.charts import chart_svg, roster_charts
    from matching.reports.html import render_report
    from matching.reports.neutrality import roster_report, roster_tables

    shown: list[dict[str, object]] = []
    draw = streamlit.altair_chart

    def spy(chart, *args, **kwargs):  # type: ignore[no-untyped-def]
        shown.append(chart.to_dict())
        return draw(chart, *args, **kwargs)

    monkeypatch.setattr(streamlit, "altair_chart", spy)
    at = start("ui/review.py")  # no decision recorded: the roster report is the demo history alone
    ws = Workspace(load_folder(DEMO))
    report = roster_report(ws.data, [], countries=ws.countries)
    expected = roster_charts(report)
    specs = [c.to_dict() for c in expected.values()]
    assert len(specs) == 6
    assert [spec for spec in shown if spec in specs] == specs  # every roster chart, in the report's order
    drawn = [json.loads(c.proto.spec)["title"]["text"] for c in at.get("vega_lite_chart")]
    assert drawn == [spec["title"]["text"] for spec in specs]
    page = render_report(report, [], [], roster_tables(report))
    for chart in expected.values():
        assert chart_svg(chart) in page


# --- batch page -----------------------------------------------------------------------------------


def test_batch_page_runs_the_chosen_disputes_with_a_progress_bar(db: str) -> None:
    at = start("ui/batch.py")
    assert button(at, "Run 80 dispute(s)")
    at.radio[0].set_value("chosen").run()
    at.multiselect[0].set_value(["D001", "D004", "D027"]).run()
    button(at, "Run 3 dispute(s)").click().run()
    assert not at.exception
    assert any("2 of 3 disputes staffed" in s.value for s in at.success)
    summary = at.dataframe[0].value
    assert list(summary["dispute"]) == ["D001", "D004", "D027"]
    status = summary.set_index("dispute")["status"]
    assert status["D027"] == "no panel keeps every rule" and status["D001"] in ("proven best", "found, not proven best")
    assert any("D027" in m.value and "H4" in m.value for m in at.markdown)
    assert at.get("progress")
    labels = [d.label for d in at.get("download_button")]
    assert {"Download the panels (JSON)", "Download the seats (CSV)"} <= set(labels)
    document = at.session_state["batch_result"].document()
    assert document["run"]["rule_set"] == "iomed" and len(document["disputes"]) == 3
    assert document["batch"]["staffed"] == 2


def test_batch_page_takes_a_lean_cap_for_the_run(db: str) -> None:
    at = start("ui/batch.py")
    at.radio[0].set_value("chosen").run()
    at.multiselect[0].set_value(["D001", "D002", "D004"]).run()
    at.number_input(key="batch-lean-cap").set_value(0)
    button(at, "Run 3 dispute(s)").click().run()
    assert not at.exception, at.exception
    outcome = at.session_state["batch_result"]
    assert outcome.rule_set.max_lean == 0
    assert outcome.document()["run"]["rules"]["hard"]["max_lean"] == 0
    ws = Workspace(load_folder(DEMO))
    staffed = [r for r in outcome.results if r.panels]
    assert staffed
    for result in staffed:
        view = ws.view(ws.dispute(result.dispute_id), outcome.rule_set)
        people = [ws.data.mediator(mid) for mid in result.panels[0].member_ids]
        assert len(set(party_alignment(view, people).values())) == 1, result.dispute_id


def test_the_batch_counts_recorded_decisions_as_cases_taken(db: str) -> None:
    ws = Workspace(load_folder(DEMO))
    assert with_recorded_load(ws, {}) is ws
    busy = ws.data.mediators[0]
    loaded = with_recorded_load(ws, {busy.mediator_id: 2, "NOT-ON-ROSTER": 1})
    assert loaded.data.mediator(busy.mediator_id).active_cases == busy.active_cases + 2
    assert loaded.data.mediators[1] == ws.data.mediators[1]
    assert loaded.data.inputs_sha256 == ws.data.inputs_sha256


def test_batch_page_runs_undecided_or_uploaded_disputes(db: str, tmp_path: Path) -> None:
    _record(db, "D001")
    at = start("ui/batch.py")
    at.radio[0].set_value("undecided").run()
    assert button(at, "Run 79 dispute(s)")
    listed = tmp_path / "todo.csv"
    listed.write_text("dispute_id\nD002\nD999\nD003\n", encoding="utf-8")
    at.file_uploader[0].upload(listed.name, listed.read_bytes(), "text/csv").run()
    assert any("D999" in w.value for w in at.warning)
    button(at, "Run 2 dispute(s)").click().run()
    assert not at.exception
    assert list(at.dataframe[0].value["dispute"]) == ["D002", "D003"]


# --- plain words, never a stack trace ---------------------------------------------------------------


def test_withdrawing_a_decision_frees_the_dispute(db: str) -> None:
    _record(db, "D004")
    at = start(user="Ben Registrar")
    at.selectbox(key="dispute_id").set_value("D004").run()
    assert any("Decision #1 is recorded" in s.value for s in at.success)
    at.text_input(key="withdraw-reason-1").set_value("A party objected.")
    button(at, "Withdraw decision").click().run()
    assert not at.exception
    assert any("Decision #1 was withdrawn" in s.value for s in at.success)
    gone = DecisionStore(db).decision(1)
    assert not gone.active and gone.withdrawn_by == "Ben Registrar" and gone.withdrawal_note == "A party objected."
    button(at, "Find panels").click().run()
    assert [b for b in at.button if b.label == "Record decision"]


def test_a_library_error_is_shown_in_plain_words(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import matching.api  # ui.state imports propose from here when it searches
    from matching.core.errors import MatchingError

    def refuse(*_: object, **__: object) -> None:
        raise MatchingError("the solver is switched off for maintenance")

    monkeypatch.setattr(matching.api, "propose", refuse)
    at = solve(start(), "D004")
    assert any(e.value == "Could not find panels: the solver is switched off for maintenance" for e in at.error)


def test_an_unexpected_error_never_shows_a_stack_trace(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import matching.api

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(matching.api, "propose", crash)
    at = solve(start(), "D004")
    assert not at.exception
    assert any("Something unexpected went wrong" in e.value for e in at.error)
    assert not any("internal detail" in e.value for e in at.error)


# --- long computations: stopping, and the weights in force ---------------------------------------------


def stopping_lottery(monkeypatch: pytest.MonkeyPatch, at_once: bool) -> None:
    """Make the lottery tab's library call behave as if Stop was pressed: before it starts (``at_once``) or
    once the first level of chances is fixed (the token is the one the tab's job hands to the library)."""
    import ui.lottery
    from matching.core.progress import CancelToken

    library = ui.lottery.dispute_lottery

    def stopped(*args, cancel: CancelToken, **kwargs):  # type: ignore[no-untyped-def]
        if at_once:
            cancel.cancel()
            return library(*args, cancel=cancel, **kwargs)
        report = kwargs.pop("progress")

        def progress(total: int, label: str, /):  # type: ignore[no-untyped-def]
            opened = report(total, label)

            class Stopping:
                def __enter__(self):  # type: ignore[no-untyped-def]
                    advance = opened.__enter__()

                    def step(n: int = 1, /) -> None:
                        advance(n)
                        cancel.cancel()

                    return step

                def __exit__(self, *exc: object) -> None:
                    opened.__exit__(*exc)

            return Stopping()

        return library(*args, cancel=cancel, progress=progress, **kwargs)

    monkeypatch.setattr(ui.lottery, "dispute_lottery", stopped)


def test_a_stopped_lottery_keeps_its_best_draw_and_says_what_is_not_proven(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopping_lottery(monkeypatch, at_once=False)
    at = run_lottery(solve(start(), "D002"))
    lottery = shown_lottery(at, "D002").lottery
    assert lottery.stopped == "cancelled" and lottery.levels == 1 and not lottery.proven
    assert any("stopped before its end because you stopped it" in w.value for w in at.warning)
    assert any("not proven" in w.value for w in at.warning)
    assert any(s.value.startswith(f"The lottery drew ticket **{lottery.drawn_ticket}**") for s in at.success)
    # Pressing the button again runs the lottery in full instead of showing the stopped one.
    monkeypatch.undo()
    monkeypatch.setenv("DATABASE_URL", db)  # undone too: the session lives in this test's database
    run_lottery(at)
    assert shown_lottery(at, "D002").lottery.stopped is None
    assert not any("stopped before its end" in w.value for w in at.warning)


def test_a_lottery_stopped_before_any_result_says_so_and_keeps_the_page(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopping_lottery(monkeypatch, at_once=True)
    at = run_lottery(solve(start(), LOTTERY_DISPUTE))
    assert any(i.value.startswith("Stopped. Nothing was kept") for i in at.info)
    assert "lottery_shown" not in at.session_state or LOTTERY_DISPUTE not in at.session_state["lottery_shown"]
    assert [b for b in at.button if b.label == "Run the lottery"]


def test_the_lottery_tab_names_the_weights_in_force(db: str) -> None:
    at = solve(start(), LOTTERY_DISPUTE)
    assert any(m.value.startswith("Weights: the iomed rule set's own") for m in at.markdown)
    at.number_input(key="w-iomed-neutrality").set_value(1.5)
    button(at, "Find panels").click().run()
    assert any("**neutrality 1.5** (changed from the rule set's 0.8)" in m.value for m in at.markdown), [
        m.value for m in at.markdown if m.value.startswith("Weights")
    ]
    at.selectbox(key="dispute_id").set_value("D004").run()  # each dispute has its own weights (issue 14)
    button(at, "Find panels").click().run()
    assert any(m.value.startswith("Weights: the iomed rule set's own") for m in at.markdown)


# --- what the registrar sees (issue 14, item 8) ------------------------------------------------------------


def test_weights_belong_to_their_dispute_and_say_when_they_differ_from_the_rule_set(db: str) -> None:
    at = solve(start(), "D004")
    at.number_input(key="w-iomed-neutrality").set_value(1.5)
    button(at, "Find panels").click().run()
    assert at.session_state["runs"]["D004"].rule_set.weights.neutrality == 1.5
    assert any("**neutrality 1.5** (the rule set's: 0.8)" in c.value for c in at.caption)
    assert any("changed for this dispute only" in c.value for c in at.caption)
    assert any(c.value.startswith("Weights changed for this dispute: neutrality 1.5") for c in at.caption)

    # Another dispute starts from the rule set's own weights: nothing carries over silently.
    at.selectbox(key="dispute_id").set_value("D002").run()
    assert at.number_input(key="w-iomed-neutrality").value == 0.8
    button(at, "Find panels").click().run()
    assert at.session_state["runs"]["D002"].rule_set.weights.neutrality == 0.8
    assert any("These are the rule set's own weights." in c.value for c in at.caption)
    assert not any(c.value.startswith("Weights changed for this dispute") for c in at.caption)

    # Back on the first dispute, its own weights are in the form again, and can be reset to the rule set's.
    at.selectbox(key="dispute_id").set_value("D004").run()
    assert at.number_input(key="w-iomed-neutrality").value == 1.5
    button(at, "Back to the rule set's weights").click().run()
    assert at.number_input(key="w-iomed-neutrality").value == 0.8
    button(at, "Find panels").click().run()
    assert at.session_state["runs"]["D004"].rule_set.weights.neutrality == 0.8


def test_why_not_honours_the_locks_and_quotes_the_score_on_the_first_card(db: str) -> None:
    at = solve(start(), "D004")
    roster = load_folder(DEMO).mediators_by_id
    out = panel_members(at)[0][1]
    at.button(key=f"drop-D004-1-{out}").click().run()
    first = next(h.value for h in at.subheader if h.value.startswith("Panel 1"))
    score = first.rsplit("total score ", 1)[1]

    at.selectbox(key="why-not-D004").set_value(out)  # in the form: sent with the Explain button
    button(at, "Explain").click().run()
    assert not at.exception
    answer = " ".join(m.value for m in at.markdown if "excluded by your lock" in m.value)
    assert f"{roster[out].name} ({out}) is excluded by your lock" in answer

    outsider = "M0001"
    at.selectbox(key="why-not-D004").set_value(outsider)
    button(at, "Explain").click().run()
    text = next(m.value for m in at.markdown if "would replace" in m.value)
    assert f"against {score} for the best panel with your locks (panel 1 on the cards)" in text
    assert f"({out})" not in text  # the excluded mediator is never part of the answer
    assert f"{roster[outsider].name} ({outsider}) would replace" in text


def test_trade_off_tab_never_says_a_candidate_is_never_the_best(db: str) -> None:
    from matching.api import FrontierPoint, Seat
    from ui.tradeoff import frontier_frame

    at = solve(start(), "D004")
    button(at, "Draw the trade-off chart").click().run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "weights" in df.value.columns)
    assert not any("whatever the weights" in w or "never the single best" in w for w in table["weights"])

    ws = Workspace(load_folder(DEMO))
    best = at.session_state["runs"]["D004"].result.panels[0]
    point = FrontierPoint(
        members=tuple(Seat(s.mediator_id, s.role) for s in best.members),
        axes={"expertise": 0.5, "impartiality": 0.5},
        scores=dict(best.scores),
        objective=best.objective,
        price_of_neutrality=0.0,
        joins=[],
        leaves=[],
        weight_range=None,
    )
    words = frontier_frame(ws, [point], [best]).loc[0, "weights"]
    assert words.startswith("the best panel now") and "whatever the weights" not in words


def test_showing_the_drawn_panel_does_not_warn_about_its_own_lock_change(db: str) -> None:
    at = run_lottery(solve(start(), LOTTERY_DISPUTE))
    drawn = shown_lottery(at, LOTTERY_DISPUTE).lottery.drawn
    button(at, "Show the drawn panel on the Candidate panels tab").click().run()
    assert not at.exception
    assert at.session_state["runs"][LOTTERY_DISPUTE].locks.include == frozenset(drawn.member_ids)
    assert not any("locks have changed" in w.value for w in at.warning)
    assert any(i.value.startswith("The drawn panel is now locked in") for i in at.info)

    # A lock change of the registrar's own still asks for a new lottery.
    at.button(key=next(b.key for b in at.button if (b.key or "").startswith("unlock-"))).click().run()
    assert any(w.value.startswith("Your locks have changed since this lottery was run") for w in at.warning)


def test_the_sidebar_names_the_uploaded_data_at_once(db: str, tmp_path: Path) -> None:
    paths = write_inputs(
        tmp_path, mediators=[mediator_row("M1"), mediator_row("M2", nationalities="GHA")], disputes=[dispute_row("D1")]
    )
    at = start("ui/data.py")
    assert at.sidebar.caption[0].value == "Data in use: the bundled demo data."
    _upload(at, "mediators", paths["mediators"])
    _upload(at, "disputes", paths["disputes"])
    button(at, "Check and use these files").click().run()
    assert not at.exception
    assert at.sidebar.caption[0].value.startswith("Data in use: your upload of")
    assert "mediators.csv" in at.sidebar.caption[0].value


def test_review_page_after_a_withdrawal_says_what_happened(db: str) -> None:
    _record(db, "D004")
    DecisionStore(db).withdraw(1, session=session_of(db, "Ben Registrar"), reason="A party objected.")
    at = start("ui/review.py")
    assert not any("No decision has been recorded yet" in i.value for i in at.info)
    text = next(i.value for i in at.info if i.value.startswith("No decision is in force"))
    assert "1 decision was recorded and then withdrawn" in text
    assert "#1 for D004" in text and "withdrawn by Ben Registrar" in text and "A party objected." in text


def test_a_card_marks_a_member_who_does_not_speak_the_working_language(db: str) -> None:
    at = solve(start(), "D004")
    roster = load_folder(DEMO).mediators_by_id
    mute = next(mid for members in panel_members(at) for mid in members if "en" not in roster[mid].languages)
    line = next(m.value for m in at.markdown if f"** ({mute})" in m.value)
    assert "does not speak English, the working language" in line
    speaker = next(mid for members in panel_members(at) for mid in members if "en" in roster[mid].languages)
    assert not any("does not speak" in m.value for m in at.markdown if f"** ({speaker})" in m.value)


def test_no_raw_identifier_reaches_the_reader(db: str, tmp_path: Path) -> None:
    at = solve(start(), "D004")
    page = " ".join(m.value for m in [*at.markdown, *at.caption, *at.success])
    assert "human rights" in page and "human_rights" not in page
    assert "orange-conflict penalty" in page and "orange_penalty" not in page

    _record(db, "D002")
    at.switch_page("ui/review.py").run()
    summary = next(df.value for df in at.dataframe if "measure" in df.value.columns)
    assert "Share of seats held by women" in set(summary["measure"])
    assert not any("_" in m for m in summary["measure"]) and "None" not in set(summary["value"])
    shares = [df.value for df in at.dataframe if "seat_share" in df.value.columns]
    assert shares and all("key" not in f.columns for f in shares)
    assert all(v is not None for f in shares for v in f["member_state_share"])

    at.switch_page("ui/data.py").run()
    assert not any("human_rights" in e for e in at.dataframe[0].value["expertise"])

    at.switch_page("ui/batch.py").run()
    at.radio[0].set_value("chosen").run()
    at.multiselect[0].set_value(["D004"]).run()
    button(at, "Run 1 dispute(s)").click().run()
    row = at.dataframe[0].value.iloc[0]
    roster = load_folder(DEMO).mediators_by_id
    members = row["panel (chair first)"]
    assert all(f"{roster[mid].name} ({mid})" in members for mid in roster if f"({mid})" in members)
    assert members.count("(M") == 3 and row["status"] in ("proven best", "found, not proven best")


def test_weight_ranges_are_worked_out_in_the_background_and_kept(db: str) -> None:
    """The sensitivity table runs like the frontier (a job with progress and Stop) and stays shown."""
    at = solve(start(), "D004")
    button(at, "Draw the trade-off chart").click().run()
    button(at, "Work it out").click().run()
    assert not at.exception, at.exception
    run = at.session_state["runs"]["D004"]
    assert run.sensitivity is not None and len(run.sensitivity) == 6
    table = next(df.value for df in at.dataframe if "lowest" in df.value.columns)
    assert len(table) == 6


def test_a_lean_cap_chosen_in_the_form_binds_every_candidate_panel(db: str) -> None:
    at = start()
    at.selectbox(key="dispute_id").set_value("D002").run()
    next(s for s in at.selectbox if s.label == "Lean cap (H8)").set_value(0)  # "at most 0", sent with the form
    button(at, "Find panels").click().run()
    assert not at.exception, at.exception
    run = at.session_state["runs"]["D002"]
    assert run.rule_set.max_lean == 0 and run.result.panels
    ws = Workspace(load_folder(DEMO))
    view = ws.view(ws.dispute("D002"), run.rule_set)
    for panel in run.result.panels:
        people = [ws.data.mediator(mid) for mid in panel.member_ids]
        assert len(set(party_alignment(view, people).values())) == 1, panel.member_ids
    assert any("lean cap **0** (your choice for this search)" in c.value for c in at.caption)


def test_lean_prices_are_worked_out_in_the_background_and_kept(db: str) -> None:
    at = solve(start(), "D002")
    button(at, "Draw the trade-off chart").click().run()
    button(at, "Price the caps").click().run()
    assert not at.exception, at.exception
    prices = at.session_state["runs"]["D002"].lean_prices
    assert prices is not None and prices.points and prices.points[-1].price == 0
    table = next(df.value for df in at.dataframe if "lean cap" in df.value.columns)
    assert list(table["lean cap"]) == [p.cap for p in prices.points]
    assert any("costs nothing" in m.value for m in at.markdown)


def test_a_stopped_sensitivity_keeps_the_weights_already_done() -> None:
    from matching.core.progress import CancelToken
    from matching.panel.tradeoffs import sensitivity

    class AfterTwo(CancelToken):
        """Asks to stop once two weights are done (read at the safe point before each weight)."""

        def __init__(self) -> None:
            super().__init__()
            self.reads = 0

        @property
        def cancelled(self) -> bool:
            self.reads += 1
            return self.reads > 2

    ws = Workspace(load_folder(DEMO))
    ranges = sensitivity(ws, "D004", load_rule_set("iomed"), cancel=AfterTwo())
    full = sensitivity(ws, "D004", load_rule_set("iomed"))
    assert len(ranges) == 2 and ranges == full[:2]


# --- sign-in and roles (issue 15, item 2) -----------------------------------------------------------------


def pages_of(at: AppTest) -> list[str]:
    """The pages the signed-in role can reach (AppTest lists them when asked for one it does not have)."""
    with pytest.raises(ValueError, match="Known pages") as caught:
        at.switch_page("ui/common.py")  # a module, never a page
    known = str(caught.value).split("Known pages: ", 1)[1]
    return sorted(Path(path).name for path in re.findall(r"'([^']+)'", known))


def test_the_app_asks_to_sign_in_first_and_never_says_which_part_was_wrong(db: str) -> None:
    at = start(user=None)
    assert [t.value for t in at.title] == ["Sign in"]
    assert not [b for b in at.button if b.label == "Find panels"]
    assert pages_of(at) == ["signin.py"]
    sign_in(at, "Ana Registrar", "not the password")
    assert [e.value for e in at.error] == ["The name or password is not right."]
    sign_in(at, "Nobody Known", "not the password")
    assert [e.value for e in at.error] == ["The name or password is not right."]
    sign_in(at, "ana registrar")
    assert not at.exception and [t.value for t in at.title] == ["Candidate panels"]
    assert any(m.value == "Signed in as **Ana Registrar** (registrar)" for m in at.sidebar.markdown)


def test_the_sign_in_page_says_until_when_an_account_is_locked(db: str) -> None:
    at = start(user=None)
    for _ in range(4):
        sign_in(at, "Ana Registrar", "not the password")
    sign_in(at, "Ana Registrar", "not the password")
    assert any("locked after 5 wrong passwords in a row, until" in e.value for e in at.error)
    sign_in(at, "Ana Registrar")  # the right password while locked
    assert any("locked" in e.value for e in at.error) and [t.value for t in at.title] == ["Sign in"]


def test_a_registrar_has_the_registrar_pages(db: str) -> None:
    at = start()
    assert pages_of(at) == ["batch.py", "data.py", "planning.py", "registrar.py", "review.py"]
    at.switch_page("ui/data.py").run()
    assert [b for b in at.button if b.label == "Check and use these files"]  # their own upload


def test_a_reviewer_reads_and_has_no_record_withdraw_or_upload_control(db: str) -> None:
    _record(db, "D004")
    at = start(user="Rita Reviewer")
    assert [t.value for t in at.title] == ["Neutrality review"]  # their first page
    assert pages_of(at) == ["data.py", "review.py"]  # no Candidate panels, no Batch run
    assert [m.value for m in at.metric][:1] == ["1"]  # reads the recorded decision
    assert not {"Record decision", "Withdraw decision"} & {b.label for b in at.button}
    at.switch_page("ui/data.py").run()
    assert not at.exception
    assert not at.get("file_uploader") and not [b for b in at.button if b.label == "Check and use these files"]
    assert len(at.dataframe[0].value) == 600  # reads the roster
    labels = {b.label for b in at.button}
    assert not labels & {"Record decision", "Withdraw decision", "Find panels"}


def test_the_store_refuses_a_reviewer_even_without_the_app(db: str) -> None:
    """Hiding the buttons is not the protection: the store checks the role inside the write."""
    from matching.records.users import NotAllowed

    _record(db, "D004")
    with pytest.raises(NotAllowed, match="Reviewers can read everything but cannot withdraw decisions"):
        DecisionStore(db).withdraw(1, session=session_of(db, "Rita Reviewer"), reason="I would rather not.")
    assert DecisionStore(db).decision(1).active


def test_a_role_changed_meanwhile_shows_at_the_next_run(db: str) -> None:
    at = start()
    DecisionStore(db).set_role("Ana Registrar", "reviewer", by=CommandLine("tests"))
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Neutrality review"] and pages_of(at) == ["data.py", "review.py"]
    assert any(m.value == "Signed in as **Ana Registrar** (reviewer)" for m in at.sidebar.markdown)


def test_an_administrator_manages_the_users_on_the_users_page(db: str) -> None:
    at = start(user="Adam Admin")
    assert [t.value for t in at.title] == ["Roster and disputes"]
    assert pages_of(at) == ["data.py", "planning.py", "review.py", "users.py"]
    assert [b for b in at.button if b.label == "Check and use these files"]  # the upload
    at.switch_page("ui/users.py").run()
    assert not at.exception and [t.value for t in at.title] == ["Users"]
    assert set(at.dataframe[0].value["name"]) == set(PEOPLE)

    at.text_input(key="new-user-name").set_value("Nia Newcomer")
    at.selectbox(key="new-user-role").set_value(AccessRole.REGISTRAR)
    at.text_input(key="new-user-password").set_value("short")
    at.text_input(key="new-user-password-again").set_value("short")
    button(at, "Add user").click().run()
    assert any("at least 10 characters" in e.value for e in at.error)
    at.text_input(key="new-user-password").set_value(PASSWORD)
    at.text_input(key="new-user-password-again").set_value(PASSWORD)
    button(at, "Add user").click().run()
    assert not at.exception
    assert any(s.value == "Added Nia Newcomer as a registrar." for s in at.success)

    at.selectbox(key="role-user").set_value("Nia Newcomer")
    at.selectbox(key="role-new").set_value(AccessRole.REVIEWER)
    button(at, "Change the role").click().run()
    assert any(s.value == "Nia Newcomer is now a reviewer." for s in at.success)

    at.selectbox(key="switch-user").set_value("Nia Newcomer")
    button(at, "Switch off").click().run()
    assert any("Nia Newcomer is switched off" in s.value for s in at.success)
    at.selectbox(key="switch-user").set_value("Adam Admin")
    button(at, "Switch off").click().run()
    assert any("last administrator" in e.value for e in at.error)

    store = DecisionStore(db)
    nia = next(u for u in store.users() if u.name == "Nia Newcomer")
    assert nia.role is AccessRole.REVIEWER and nia.disabled
    with store.engine.connect() as conn:
        logged = [(e.actor, e.payload["change"]) for e in events(conn) if e.payload.get("user") == "Nia Newcomer"]
    assert logged == [("Adam Admin", "added"), ("Adam Admin", "role"), ("Adam Admin", "disabled")]


def test_signing_out_returns_to_the_sign_in_page(db: str) -> None:
    at = solve(start(), "D004")
    button(at, "Sign out").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert any(i.value == "You have signed out." for i in at.info)
    assert "runs" not in at.session_state and "session_token" not in at.session_state  # nothing carried over
    with DecisionStore(db).engine.connect() as conn:
        assert conn.scalars(SessionRow.__table__.select().with_only_columns(SessionRow.ended_at)).one() is not None


def test_an_expired_session_returns_to_sign_in_with_a_plain_message(db: str) -> None:
    at = start()
    with DecisionStore(db).engine.begin() as conn:
        conn.execute(update(SessionRow).values(expires_at="2000-01-01T00:00:00+00:00"))
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert any(i.value == "Your session has expired. Please sign in again." for i in at.info)


def test_a_panel_other_than_the_first_is_recorded_only_with_a_reason(db: str) -> None:
    at = solve(start(), "D004")
    assert not [t for t in at.text_area if t.key == "reason-D004-1"]  # the first panel needs none
    second = panel_members(at)[1]
    button(at, "Record decision", 1).click().run()
    assert any("was not recorded" in e.value and "rather than the first" in e.value for e in at.error)
    assert DecisionStore(db).decisions() == []
    at.text_area(key="reason-D004-2").set_value("A party objected to a member of panel 1.")
    button(at, "Record decision", 1).click().run()
    assert not at.exception
    saved = DecisionStore(db).decisions()
    assert [d.member_ids for d in saved] == [second]
    assert saved[0].reason == "A party objected to a member of panel 1." and saved[0].candidate_rank == 2


def test_the_demo_banner_shows_only_on_the_demo_database(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def banner(at: AppTest) -> bool:
        return any("Demo mode" in w.value for w in at.sidebar.warning)

    at = start(user=None)
    assert not banner(at) and not any("demo-registrar" in i.value for i in at.info)
    sign_in(at, "Ana Registrar")
    assert not banner(at)

    # The default demo database: DATABASE_URL not set, the project's own file (moved here for the test).
    monkeypatch.setattr(store_module, "DEFAULT_FILE", tmp_path / "demo" / "decisions.sqlite")
    monkeypatch.delenv("DATABASE_URL")
    at = start(user=None)
    assert banner(at)
    shown = " ".join(i.value for i in at.info)
    assert all(f"`{name}`" in shown for name in DEMO_ACCOUNTS) and f"`{DEMO_PASSWORD}`" in shown
    sign_in(at, "demo-registrar", DEMO_PASSWORD)
    assert not at.exception and [t.value for t in at.title] == ["Candidate panels"]
    assert banner(at)
    assert not any(DEMO_PASSWORD in i.value for i in at.info)  # the password only on the sign-in page


# --- the verdict on the record ----------------------------------------------------------------------


def test_review_page_says_the_record_holds_and_replays_on_request(db: str) -> None:
    _record(db, "D002", "D004")
    at = start("ui/review.py", user="Rita Reviewer")
    assert any("The record holds" in s.value and "when you ask" in s.value for s in at.success)
    button(at, "Replay every decision now").click().run()
    assert not at.exception
    assert any("every one of the 2 decisions was replayed" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    head = DecisionStore(db).log_events()[-1].hash
    assert any(head in c.value for c in at.caption)


def test_review_page_names_a_decision_changed_behind_the_applications_back(db: str) -> None:
    _record(db, "D002", "D004")
    store = DecisionStore(db)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE seats SET mediator_id = 'M0001' WHERE decision_id = 1 AND position = 0"))
    at = sign_in(start(user=None), "Rita Reviewer")  # the review page is where a reviewer lands
    at.switch_page("ui/review.py").run()
    assert any("The record does not hold: 1 problem found" in e.value for e in at.error), [e.value for e in at.error]
    findings = next(df.value for df in at.dataframe if "Details" in df.value.columns)
    assert list(findings["What"]) == ["Changed after the event"] and list(findings["Decision"]) == ["#1"]
