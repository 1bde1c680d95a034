"""The fair lottery tab of the registrar page: a public, verifiable draw among the near-best panels,
shown beside the best panel.

A single best panel is predictable, so it can be lobbied for, and the same few mediators win every
close call. The lottery (``matching.lottery.dispute.dispute_lottery``) takes every panel that keeps
the hard rules and scores at least a chosen share of the best score, gives each a chance so that
the mediators' chances are as even as possible, rounds the chances to numbered tickets and draws
one ticket with a public seed. This module only asks the library and shows the answer.

A lottery can take a minute for a five-member panel, so it runs only when the registrar presses
the button, and each answer is kept in ``st.session_state`` under everything it depends on (the
dispute, the rule set with its weights and nationality rule, the floor, the seed, the number of
tickets, the data in use, the decisions recorded so far and the run's locks): reruns, tab changes
and visits to other pages reuse it.

The registrar's locks from the Candidate panels tab apply: the lottery draws only among panels that
keep them, measured against the best panel under the same locks. The command line has no locks, so
for a locked lottery the tab says that it cannot be re-run there instead of offering a command.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from matching.api import (
    COMPONENTS,
    DEFAULT_FLOOR,
    DEFAULT_TICKETS,
    DEFAULT_TIME_LIMIT,
    ConflictCategory,
    Dispute,
    DisputeLottery,
    Locks,
    LotteryPanel,
    ProposedPanel,
    RuleSet,
    Seat,
    SolveConfig,
    Workspace,
    dispute_lottery,
    frame_document,
    load_rule_set,
    now_iso,
    propose,
)
from ui.common import (
    OBJECTIVE_HELP,
    Job,
    attempt,
    country_label,
    decision_store,
    follow_job,
    job_outcome,
    mediator_group,
    recorded_load,
    start_job,
    with_recorded_load,
)
from ui.state import Run, set_locks

LOTTERIES_KEY = "lotteries"  # LotteryKey -> LotteryOutcome, the lotteries drawn in this session
SHOWN_KEY = "lottery_shown"  # dispute id -> the LotteryKey of the lottery last drawn for it
KEEP = 12  # lotteries kept per session (the oldest go first)
MIN_FLOOR_PERCENT = 50

EXPLANATION = (
    "The best panel is predictable: anyone who knows the rules and the roster can work it out, lobby for it, "
    "and the same few mediators win every close call. The fair lottery instead looks at **every panel that keeps "
    "all the hard rules and scores almost as well as the best**, and gives each one a chance, chosen so that the "
    "mediators in those panels have chances as even as possible (the least chance as large as it can be, then the "
    "next, and so on). The chances are turned into numbered tickets, and one ticket is drawn with a **public "
    "seed**: anyone who runs the lottery again with the same data, settings and seed draws the same panel."
)
FLOOR_HELP = (
    "Only panels scoring at least this share of the best panel's total score take part (with your locks, the best "
    "panel that keeps them; exactly: the best score "
    "less (100% − this share) of its size). 100% keeps only panels as good as the best. A lower share lets more "
    "panels in, spreads the chances wider, and takes longer."
)
SEED_HELP = (
    "The number that decides the draw. Choose it in public after the ticket list is fixed, for example from a "
    "dice roll at the hearing, and write it in the record. The same data, settings and seed always draw the same "
    "panel; a different seed may draw another."
)
TICKETS_HELP = (
    "The chances are rounded to this many equally likely tickets, numbered from 0; each panel holds a run of "
    "consecutive tickets. More tickets follow the exact chances more closely."
)


@dataclass(frozen=True)
class LotteryKey:
    """Everything a lottery's answer depends on."""

    dispute_id: str
    rule_set: RuleSet
    floor_percent: int
    seed: int
    tickets: int
    data: tuple[tuple[str, str], ...]  # the input files' hashes (or the data set's identity)
    load: tuple[tuple[str, int], ...]  # decisions recorded in the store, per mediator
    locks: Locks  # the registrar's locks on the Candidate panels tab

    @property
    def floor(self) -> float:
        return self.floor_percent / 100


@dataclass(frozen=True)
class LotteryOutcome:
    """A lottery, the best panel it is measured against, and the JSON document to download."""

    key: LotteryKey
    lottery: DisputeLottery
    best: ProposedPanel | None  # the best panel on the same data, under the same locks
    document: dict[str, Any]
    recorded: int  # decisions in the store counted against capacity


def data_fingerprint(ws: Workspace) -> tuple[tuple[str, str], ...]:
    hashes = tuple(sorted(ws.data.inputs_sha256.items()))
    return hashes or (("data set", str(id(ws.data))),)


def lottery_key(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    floor_percent: int,
    seed: int,
    tickets: int,
    load: Mapping[str, int],
    locks: Locks,
) -> LotteryKey:
    return LotteryKey(
        dispute_id,
        rule_set,
        int(floor_percent),
        int(seed),
        int(tickets),
        data_fingerprint(ws),
        tuple(sorted((mid, n) for mid, n in load.items() if n)),
        locks,
    )


def _lotteries() -> dict[LotteryKey, LotteryOutcome]:
    if LOTTERIES_KEY not in st.session_state:
        st.session_state[LOTTERIES_KEY] = {}
    value: dict[LotteryKey, LotteryOutcome] = st.session_state[LOTTERIES_KEY]
    return value


def _shown() -> dict[str, LotteryKey]:
    if SHOWN_KEY not in st.session_state:
        st.session_state[SHOWN_KEY] = {}
    value: dict[str, LotteryKey] = st.session_state[SHOWN_KEY]
    return value


def lottery_document(ws: Workspace, key: LotteryKey, lottery: DisputeLottery, started: str) -> dict[str, Any]:
    """The same document as ``python -m matching lottery`` writes (the app's solver seed is 0, as there)."""
    return lottery.document(key.rule_set, ws.data.inputs_sha256, started, lottery.seconds, DEFAULT_TIME_LIMIT, 0)


def job_name(dispute_id: str) -> str:
    return f"lottery-{dispute_id}"


def start(ws: Workspace, key: LotteryKey) -> None:
    """Start drawing the lottery for ``key`` in a worker thread (``ui.common.start_job``): the page shows its
    progress and a Stop button, and ``finish`` turns the finished job into an outcome."""
    loaded = with_recorded_load(ws, dict(key.load))
    started = now_iso()
    # The same solver settings as the command line (a fixed solver seed: the ticket list never depends
    # on the public seed), so that its --seed reproduces the draw.
    config = SolveConfig(candidates=1, time_limit=DEFAULT_TIME_LIMIT, seed=0)

    def work(job: Job[tuple[LotteryKey, str, DisputeLottery]]) -> tuple[LotteryKey, str, DisputeLottery]:
        lottery = dispute_lottery(
            loaded,
            key.dispute_id,
            key.rule_set,
            key.floor,
            key.seed,
            key.tickets,
            "leximin",
            config,
            key.locks,
            progress=job.progress(),
            cancel=job.token,
        )
        return key, started, lottery

    label = (
        f"Running the lottery: finding every panel scoring at least {key.floor_percent}% of the best and sharing "
        "the chances as evenly as possible"
    )
    start_job(job_name(key.dispute_id), label, work)


def finish(ws: Workspace, job: Job[tuple[LotteryKey, str, DisputeLottery]]) -> LotteryOutcome | None:
    """The outcome of a finished lottery job (and the best panel beside it); None, with the reason shown, on a
    library error or a stop before any lottery was found."""
    done = job_outcome("run the lottery", job)
    if done is None:
        return None
    key, started, lottery = done
    return compute(ws, key, lottery, started)


def compute(ws: Workspace, key: LotteryKey, lottery: DisputeLottery, started: str) -> LotteryOutcome | None:
    """The outcome of the lottery drawn for ``key``: the best panel beside it and the JSON document."""
    loaded = with_recorded_load(ws, dict(key.load))
    best = None
    if lottery.drawn is not None:
        found = attempt(
            "find the best panel",
            lambda: propose(loaded, key.dispute_id, key.rule_set, SolveConfig(candidates=1), key.locks),
        )
        best = found.panels[0] if found is not None and found.panels else None
    document = lottery_document(ws, key, lottery, started)
    return LotteryOutcome(key, lottery, best, document, recorded=sum(n for _, n in key.load))


def remember(outcome: LotteryOutcome) -> None:
    kept = _lotteries()
    kept.pop(outcome.key, None)
    kept[outcome.key] = outcome
    while len(kept) > KEEP:
        kept.pop(next(iter(kept)))
    _shown()[outcome.key.dispute_id] = outcome.key


# --- words and tables ---------------------------------------------------------------------------


def percent(p: float | Fraction) -> str:
    """``1.2%``; small chances with more digits, whole percentages without decimals."""
    value = float(p) * 100
    text = f"{value:.3f}" if 0 < value < 0.1 else f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def exact(p: Fraction) -> str:
    """``1/84 (1.2%)``; a whole number as itself."""
    return f"{p} ({percent(p)})" if p.denominator != 1 else f"{p.numerator} ({percent(p)})"


def share_of_best(score: float, optimum: float | None) -> str:
    if not optimum:
        return ""
    return f"{score / optimum:.1%} of the best" if optimum > 0 else f"{optimum - score:.4f} below the best"


def who(ws: Workspace, mediator_id: str) -> str:
    """``**Name** (M0001)``; the id alone for a name not on the roster."""
    m = ws.data.mediators_by_id.get(mediator_id)
    return f"**{m.name}** ({mediator_id})" if m else mediator_id


def and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def locks_words(ws: Workspace, locks: Locks) -> str:
    """The locks in plain words, e.g. ``A (M1) chairs every panel; B (M2) sits on none``."""
    parts = []
    if locks.chair:
        parts.append(f"{who(ws, locks.chair)} chairs every panel")
    others = sorted(locks.include - {locks.chair})
    if others:
        verb = "sits" if len(others) == 1 else "sit"
        parts.append(f"{and_list([who(ws, mid) for mid in others])} {verb} on every panel")
    if locks.exclude:
        left_out = sorted(locks.exclude)
        verb = "sits" if len(left_out) == 1 else "sit"
        parts.append(f"{and_list([who(ws, mid) for mid in left_out])} {verb} on none")
    return "; ".join(parts)


def seat_line(ws: Workspace, seat: Seat) -> str:
    m = ws.data.mediator(seat.mediator_id)
    role = "★ Chair" if seat.role.value == "chair" else "Member"
    nationalities = ", ".join(country_label(c) for c in m.nationalities)
    return f"**{role}: {m.name}** ({m.mediator_id})  \n:gray[{nationalities} · {mediator_group(ws, m)} group]"


def names(ws: Workspace, members: Sequence[Seat]) -> str:
    parts = []
    for seat in members:
        m = ws.data.mediator(seat.mediator_id)
        parts.append(f"{m.name} ({m.mediator_id}{', chair' if seat.role.value == 'chair' else ''})")
    return "; ".join(parts)


def orange_notes(ws: Workspace, dispute_id: str, member_ids: Sequence[str]) -> list[str]:
    """Orange (disclosable) conflicts of these members in this dispute, as lines to show."""
    return [
        f"{ws.data.mediator(c.mediator_id).name} ({c.mediator_id}): {c.note or 'orange conflict'}"
        for c in ws.data.conflicts
        if c.dispute_id == dispute_id and c.mediator_id in member_ids and c.category is ConflictCategory.ORANGE
    ]


def ticket_range(panel: LotteryPanel) -> str:
    if panel.tickets == 0:
        return "none"
    last = panel.first_ticket + panel.tickets - 1
    return str(panel.first_ticket) if last == panel.first_ticket else f"{panel.first_ticket}–{last}"


def probability_frame(ws: Workspace, lottery: DisputeLottery) -> pd.DataFrame:
    """Every eligible mediator with their chance, highest first; ``in drawn panel`` marks the draw."""
    drawn = set(lottery.drawn.member_ids) if lottery.drawn else set()
    panels_of: dict[str, int] = {}
    for panel in lottery.panels:
        for mid in panel.member_ids:
            panels_of[mid] = panels_of.get(mid, 0) + 1
    rows = []
    for mid, p in lottery.probabilities.items():
        m = ws.data.mediator(mid)
        rows.append(
            {
                "mediator": mid,
                "name": m.name,
                "nationalities": ", ".join(m.nationalities),
                "UN group": mediator_group(ws, m),
                "chance": float(p),
                "exact chance": str(p),
                "panels": panels_of.get(mid, 0),
                "in drawn panel": mid in drawn,
            }
        )
    frame = pd.DataFrame(rows, columns=[
        "mediator", "name", "nationalities", "UN group", "chance", "exact chance", "panels", "in drawn panel"
    ])  # fmt: skip
    return frame.sort_values(["chance", "mediator"], ascending=[False, True], kind="stable").reset_index(drop=True)


def panels_frame(ws: Workspace, lottery: DisputeLottery, best: ProposedPanel | None) -> pd.DataFrame:
    best_set = frozenset(best.member_ids) if best else frozenset()
    rows = []
    for i, panel in enumerate(lottery.panels, start=1):
        notes = []
        if lottery.drawn is not None and panel.first_ticket == lottery.drawn.first_ticket:
            notes.append("drawn")
        if frozenset(panel.member_ids) == best_set:
            notes.append("the best panel")
        rows.append(
            {
                "panel": i,
                "members": names(ws, panel.members),
                "total score": panel.objective,
                "share of best": panel.objective / lottery.optimum if lottery.optimum else None,
                "chance": float(panel.probability),
                "tickets": panel.tickets,
                "ticket numbers": ticket_range(panel),
                "note": ", ".join(notes),
            }
        )
    return pd.DataFrame(rows)


def chance_chart(frame: pd.DataFrame, minimum: float | None) -> alt.LayerChart:
    """Bars of each mediator's chance, highest first, the drawn panel's members in another colour."""
    data = frame[frame["chance"] > 0].assign(
        who=lambda f: f["in drawn panel"].map({True: "in the drawn panel", False: "other mediators"})
    )
    x = alt.X("mediator:N", sort=None, title="Mediator (highest chance first)", axis=alt.Axis(labelAngle=-60))
    y = alt.Y("chance:Q", title="Chance of sitting on the panel", axis=alt.Axis(format="%"))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=["in the drawn panel", "other mediators"], range=["#d62728", "#9aa5b1"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("mediator:N"),
                alt.Tooltip("name:N"),
                alt.Tooltip("nationalities:N"),
                alt.Tooltip("chance:Q", format=".2%"),
                alt.Tooltip("exact chance:N"),
                alt.Tooltip("panels:Q", title="Panels that include them"),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    if minimum:
        least = pd.DataFrame({"chance": [minimum]})
        layers.append(alt.Chart(least).mark_rule(color="#1f77b4", strokeDash=[4, 3]).encode(y="chance:Q"))
    return alt.LayerChart(layer=layers, height=320)


# --- the tab --------------------------------------------------------------------------------------


def _inputs(d: Dispute) -> tuple[int, int, int] | None:
    """The lottery's settings form; the floor (percent), seed and tickets when submitted."""
    with st.form(f"lottery-{d.dispute_id}"):
        left, middle, right = st.columns(3)
        floor_percent = left.slider(
            "Accept panels scoring at least this share of the best",
            MIN_FLOOR_PERCENT,
            100,
            round(DEFAULT_FLOOR * 100),
            step=1,
            format="%d%%",
            help=FLOOR_HELP,
            key=f"lottery-floor-{d.dispute_id}",
        )
        seed = middle.number_input(
            "Public seed",
            min_value=0,
            max_value=2**53 - 1,
            value=0,
            step=1,
            help=SEED_HELP,
            key=f"lottery-seed-{d.dispute_id}",
        )
        tickets = right.number_input(
            "Tickets",
            min_value=1,
            max_value=1_000_000,
            value=DEFAULT_TICKETS,
            step=100,
            help=TICKETS_HELP,
            key=f"lottery-tickets-{d.dispute_id}",
        )
        slow = " A five-member panel can take a minute or more." if d.panel_size >= 5 else ""
        st.caption(
            f"Running the lottery takes a few seconds to a minute, depending on the panel size.{slow} A **Stop** "
            "button shows while it runs: stopping keeps the best lottery found so far and says what is not proven."
        )
        if not st.form_submit_button("Run the lottery", type="primary"):
            return None
    return int(floor_percent), int(seed), int(tickets)


def _panel_box(
    ws: Workspace, title: str, members: Sequence[Seat], score: float, lottery: DisputeLottery, lines: Sequence[str]
) -> None:
    with st.container(border=True):
        st.markdown(f"#### {title}")
        for seat in members:
            st.markdown(seat_line(ws, seat))
        share = share_of_best(score, lottery.optimum)
        st.markdown(f"**Total score {score:.4f}**" + (f" · {share}" if share else ""), help=OBJECTIVE_HELP)
        for line in lines:
            st.caption(line)


def side_by_side(ws: Workspace, outcome: LotteryOutcome) -> None:
    lottery, best = outcome.lottery, outcome.best
    drawn = lottery.drawn
    assert drawn is not None
    left, right = st.columns(2)
    with left:
        notes = orange_notes(ws, lottery.dispute_id, drawn.member_ids)
        _panel_box(
            ws,
            f"Drawn by the lottery (ticket {lottery.drawn_ticket})",
            drawn.members,
            drawn.objective,
            lottery,
            [
                f"This panel's chance was {exact(drawn.probability)}: it holds {drawn.tickets} of the "
                f"{lottery.tickets} tickets (numbers {ticket_range(drawn)}).",
                *(["To be disclosed to the parties (orange conflict): " + "; ".join(notes)] if notes else []),
            ],
        )
    with right:
        if best is None:
            st.info("The best panel could not be found again for comparison.")
            return
        in_lottery = next((p for p in lottery.panels if set(p.member_ids) == set(best.member_ids)), None)
        chance = (
            f"In the lottery it has a chance of {exact(in_lottery.probability)}."
            if in_lottery
            else "The lottery leaves it out: the mediators' chances are as even as they can be without it."
        )
        title = "The best panel with your locks (the optimum)" if lottery.locks.any else "The best panel (the optimum)"
        _panel_box(ws, title, best.members, best.objective, lottery, [chance])


def outcome_section(ws: Workspace, run: Run, outcome: LotteryOutcome) -> None:
    """What one lottery drew, and how to check it."""
    lottery, key = outcome.lottery, outcome.key
    d = ws.dispute(lottery.dispute_id)
    if lottery.drawn is None or lottery.optimum is None:
        if lottery.status == "timeout":
            st.warning(
                "The search ran out of time before finding any panel, so there is nothing to draw. Try again later."
            )
        else:
            st.error(
                "No panel keeps every rule for this dispute, so there is nothing to draw. The **Candidate panels** "
                "tab names the rules that leave no panel and what could be changed."
            )
        return
    threshold = lottery.threshold if lottery.threshold is not None else lottery.optimum
    if lottery.stop_note is not None:
        st.warning(
            f"{lottery.stop_note} The draw below is valid (every panel keeps the rules and scores at least the "
            "share asked for), but the chances may not be the evenest possible. Press **Run the lottery** to run "
            "it again in full."
        )
    st.success(
        f"The lottery drew ticket **{lottery.drawn_ticket}** of {lottery.tickets} with seed **{lottery.seed}**, "
        f"among {len(lottery.panels)} panel(s) scoring at least {key.floor_percent}% of the best "
        f"(a total score of {threshold:.4f} or more; the best is {lottery.optimum:.4f}). "
        + ("Worked out in under a second." if lottery.seconds < 1 else f"Worked out in {lottery.seconds:.0f} s.")
    )
    locks = lottery.locks
    if len(locks.include | ({locks.chair} if locks.chair else set())) >= d.panel_size:
        st.info(
            "Your locks name every member of the panel, so there is only one panel to draw and the lottery draws "
            "it for certain. Release some of the locks on the Candidate panels tab to let other panels in."
        )
    elif len(lottery.panels) == 1:
        st.info(
            f"Only one panel scores at least {key.floor_percent}% of the best, so the lottery has no choice to make: "
            "it draws that panel for certain. Lower the share above to let near-best panels in."
        )
    if locks.any:
        st.caption(
            f"This lottery kept your locks from the Candidate panels tab: {locks_words(ws, locks)}. It draws only "
            "among panels that keep them, and the best panel it is measured against is the best one that keeps "
            "them. Anyone locked in is on the panel for certain (a chance of 100%); anyone excluded has no chance."
        )
    side_by_side(ws, outcome)
    st.button(
        "Show the drawn panel on the Candidate panels tab",
        key=f"lottery-take-{d.dispute_id}",
        help="Locks the drawn members (and chair) in, so the Candidate panels tab shows this panel with its "
        "scores and reasons, ready to be recorded as the decision.",
        on_click=take_drawn,
        args=(run, lottery.drawn),
    )

    frame = probability_frame(ws, lottery)
    chance_section(ws, d, lottery, frame)
    st.markdown("**The panels in the lottery** (in ticket order)")
    st.dataframe(
        panels_frame(ws, lottery, outcome.best),
        hide_index=True,
        width="stretch",
        column_config={
            "total score": st.column_config.NumberColumn(format="%.4f", help=OBJECTIVE_HELP),
            "share of best": st.column_config.NumberColumn(
                format="percent", help="The panel's total score as a share of the best panel's."
            ),
            "chance": st.column_config.NumberColumn(format="percent", help="The panel's exact chance in the lottery."),
            "tickets": st.column_config.NumberColumn(help="How many of the numbered tickets draw this panel."),
            "ticket numbers": st.column_config.TextColumn(help="The tickets that draw this panel, numbered from 0."),
        },
    )
    fairness_section(lottery)
    verify_section(run, outcome)
    downloads(outcome, frame)


def chance_section(ws: Workspace, d: Dispute, lottery: DisputeLottery, frame: pd.DataFrame) -> None:
    with_chance = int((frame["chance"] > 0).sum())
    st.markdown("**Each mediator's chance of sitting on the panel**")
    excluded = " (those you excluded among them)" if lottery.locks.exclude else ""
    st.caption(
        f"{with_chance} of the {lottery.eligible} mediators who meet every rule on their own for this dispute sit on "
        f"at least one panel in the lottery; the other {lottery.eligible - with_chance} sit on none{excluded}, so "
        f"their chance is 0. Each panel seats {d.panel_size}, so the chances add up to {d.panel_size}. The lottery "
        "first makes the smallest chance as large as it can be, so someone who sits on many of the panels can still "
        "have a much larger chance than the rest. The drawn panel's members are in red"
        + (f"; the dashed line is the least chance, {percent(lottery.minimum)}." if lottery.minimum else ".")
    )
    if with_chance:
        minimum = float(lottery.minimum) if lottery.minimum is not None else None
        st.altair_chart(chance_chart(frame, minimum), width="stretch")
    st.dataframe(
        frame[frame["chance"] > 0],
        hide_index=True,
        width="stretch",
        column_config={
            "chance": st.column_config.NumberColumn(
                format="percent", help="The chance of sitting on the panel (the chair's seat included)."
            ),
            "exact chance": st.column_config.TextColumn(help="The same chance as an exact fraction."),
            "panels": st.column_config.NumberColumn(help="How many panels in the lottery include this mediator."),
            "in drawn panel": st.column_config.CheckboxColumn(help="Sits on the panel the draw picked."),
        },
    )


def fairness_section(lottery: DisputeLottery) -> None:
    if lottery.minimum is None:
        return
    words = f"The least chance of anyone in the lottery is **{exact(lottery.minimum)}**."
    if lottery.proven:
        words += " It is **proven** to be the largest possible: no lottery over these panels can give everyone more."
    else:
        bound = f" (at most {exact(lottery.upper_bound)})" if lottery.upper_bound is not None else ""
        words += (
            f" It is **not proven** to be the largest possible: the search stopped early, and a fairer lottery "
            f"might give everyone a little more{bound}."
        )
    if lottery.max_ticket_deviation:
        words += (
            f" Rounding to {lottery.tickets} tickets moves anyone's chance by at most "
            f"{percent(lottery.max_ticket_deviation)}."
        )
    st.markdown(words)


def weights_line(rule_set: RuleSet) -> str:
    """The weights in force, the changed ones named with the rule set's own value: each dispute keeps the
    weights submitted for it in the settings, so the registrar should see them here."""
    defaults = attempt("read the rule set", lambda: load_rule_set(rule_set.name))
    changed, kept = [], []
    for name in [*COMPONENTS, "orange_penalty"]:
        value = rule_set.weights.of(name)
        label = name.replace("_", " ")
        own = None if defaults is None else defaults.weights.of(name)
        if own is not None and value != own:
            changed.append(f"**{label} {value:g}** (changed from the rule set's {own:g})")
        else:
            kept.append(f"{label} {value:g}")
    if not changed:
        return f"Weights: the {rule_set.name} rule set's own ({', '.join(kept)})."
    rest = f"; the others as in the rule set ({', '.join(kept)})" if kept else ""
    return f"Weights: {', '.join(changed)}{rest}. Change them in the settings above."


def cli_command(run: Run, key: LotteryKey) -> str:
    """The command line that runs the same lottery on the same files."""
    parts = [f"python -m matching lottery --dispute {key.dispute_id} --rules {key.rule_set.name}"]
    defaults = attempt("read the rule set", lambda: load_rule_set(key.rule_set.name))
    for name in [*COMPONENTS, "orange_penalty"]:
        value = key.rule_set.weights.of(name)
        if defaults is None or value != defaults.weights.of(name):
            parts.append(f"--weight {name}={value:g}")
    parts.append(f"--floor {key.floor:g} --seed {key.seed} --tickets {key.tickets} --out lottery.json")
    return " ".join(parts)


def verify_section(run: Run, outcome: LotteryOutcome) -> None:
    lottery, key = outcome.lottery, outcome.key
    with st.expander("How to check the draw"):
        drawn = lottery.drawn
        assert drawn is not None
        inputs = "the data, the settings and your locks" if key.locks.any else "the data and the settings"
        st.markdown(
            f"1. The ticket list (every panel with its run of ticket numbers) is worked out from {inputs}; the JSON "
            f"download below holds it, and the seed only picks a ticket on it.\n"
            f"2. The seed was **{key.seed}**. The drawn ticket is `numpy.random.default_rng({key.seed}).integers(0, "
            f"{lottery.tickets})`, which gives **{lottery.drawn_ticket}**.\n"
            f"3. Ticket {lottery.drawn_ticket} falls in the run {ticket_range(drawn)} held by the drawn panel.\n\n"
            f"The rule in full: {lottery.as_dict()['draw_rule']}"
        )
        if key.locks.any:
            st.markdown(
                "The command line cannot apply locks, so it cannot run this lottery again: without your locks it "
                "would draw among other panels and could pick a different one. Steps 2 and 3 can still be checked "
                "with the JSON download, which holds the ticket list and records the locks. To work out the ticket "
                "list again, run the lottery in this app with the same locks, settings and seed."
            )
            return
        st.markdown("Anyone with the same files can run the same lottery on the command line:")
        st.code(cli_command(run, key), language="bash")
        caveats = []
        if run.settings.nationality_rule and run.rule_set is not None:
            caveats.append(
                f"the nationality rule was set to {key.rule_set.nationality_rule.value} for this search, which the "
                "command line cannot set"
            )
        if outcome.recorded:
            caveats.append(
                f"{outcome.recorded} appointment(s) recorded in this app count against the mediators' capacity; "
                "the command line knows only the files"
            )
        if caveats:
            st.caption("It may differ here because " + "; and ".join(caveats) + ".")


def downloads(outcome: LotteryOutcome, frame: pd.DataFrame) -> None:
    key = outcome.key
    stem = f"lottery-{key.dispute_id}-seed{key.seed}"
    left, right = st.columns(2)
    left.download_button(
        "Download the lottery (JSON)",
        json.dumps(outcome.document, indent=2),
        file_name=f"{stem}.json",
        mime="application/json",
        key=f"lottery-json-{key.dispute_id}",
        help="Every panel with its chance and tickets, everyone's chance, the seed and the draw: the same document "
        "as the command line's lottery command.",
    )
    right.download_button(
        "Download the chances (CSV)",
        frame_document(frame),
        file_name=f"{stem}-chances.csv",
        mime="text/csv",
        key=f"lottery-csv-{key.dispute_id}",
        help="Every mediator who meets the rules for this dispute, with their chance (0 to 1) and as a fraction.",
    )


def take_drawn(run: Run, drawn: LotteryPanel) -> None:
    """Button callback: lock the drawn panel in, so the Candidate panels tab shows it."""
    chair = next(s.mediator_id for s in drawn.members if s.role.value == "chair")
    set_locks(run, drawn.member_ids, [], chair)
    run.drawn_locks = run.locks  # the app's own lock change: no "your locks have changed" warning for it


def lottery_section(ws: Workspace, run: Run) -> None:
    """The fair lottery tab of the registrar page."""
    st.markdown(EXPLANATION)
    d = ws.dispute(run.dispute_id)
    rule_set = run.rule_set
    if rule_set is None:
        st.info("Choose the settings and press **Find panels** first: the lottery uses the same rule set and weights.")
        return
    st.markdown(weights_line(rule_set))
    locks = (
        f"Your locks from the Candidate panels tab apply: {locks_words(ws, run.locks)}."
        if run.locks.any
        else "Names you lock in or exclude on the Candidate panels tab apply here too."
    )
    st.caption(
        f"The lottery uses the **{rule_set.name}** rule set with the weights and nationality rule in the settings "
        f"above, and counts the decisions recorded so far against capacity. {locks}"
    )
    submitted = _inputs(d)
    load = recorded_load(decision_store())
    if submitted is not None:
        key = lottery_key(ws, d.dispute_id, rule_set, *submitted, load, run.locks)
        outcome = _lotteries().get(key)
        if outcome is None or outcome.lottery.stopped is not None:  # a stopped lottery is run again
            start(ws, key)
        else:
            remember(outcome)
    job = follow_job(job_name(d.dispute_id))
    if job is not None:
        finished = finish(ws, job)
        if finished is None:
            return
        remember(finished)
    shown = _shown().get(d.dispute_id)
    outcome = _lotteries().get(shown) if shown is not None else None
    if shown is None or outcome is None:
        st.info("Choose the share, the seed and the tickets, then press **Run the lottery**.")
        return
    current = lottery_key(ws, d.dispute_id, rule_set, shown.floor_percent, shown.seed, shown.tickets, load, run.locks)
    if current != shown and run.drawn_locks == run.locks and current == replace(shown, locks=run.locks):
        st.info(
            "The drawn panel is now locked in on the Candidate panels tab, ready to be recorded there. This is the "
            "lottery that drew it, run with the locks you had before."
        )
    elif current != shown:
        what = (
            "Your locks have changed"
            if current == replace(shown, locks=run.locks)
            else "The settings, the locks, the data or the recorded decisions have changed"
        )
        st.warning(
            f"{what} since this lottery was run. Press **Run the lottery** to run it again; below is the earlier "
            "result."
        )
    outcome_section(ws, run, outcome)
