"""Committing a reviewed run from the command line: ``record --panels panels.json``.

A batch operator runs ``solve`` or ``batch``, reviews its JSON, then records the first panel of
each dispute as a decision. The JSON is hostile until checked (``read_panels`` validates it with
pydantic and lists every problem); the input files given must be the very files the run was made
from (their SHA-256 against the run block's ``inputs_sha256``); the rule set is the run's own
effective rule set, read from the run block. Each dispute is then recorded on its own through
``DecisionStore.record``, under the same role and capacity checks as the app: a dispute already
decided, or a mediator who has run out of room, is refused by name while the others go ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matching.core.domain import Role
from matching.core.errors import InputError, MatchingError, Problem
from matching.core.progress import ProgressFactory, silent_progress
from matching.io.results import ProposedPanel, Seat
from matching.io.rulesets import RuleSet, parse_rule_set
from matching.panel.service import check_panel
from matching.records.store import Decision, DecisionStore, capacity_left, decision_from_panel
from matching.rules.workspace import Workspace

RECORDABLE = ("solve", "batch")  # the commands whose outputs hold panels to record


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class _SeatIn(_Loose):
    mediator_id: str = Field(min_length=1, max_length=100)
    role: Literal["chair", "member"]


class _PanelIn(_Loose):
    rank: int = Field(ge=1)
    members: list[_SeatIn] = Field(min_length=1, max_length=50)
    objective: float
    scores: dict[str, float]


class _DisputeIn(_Loose):
    dispute_id: str = Field(min_length=1, max_length=100)
    panels: list[_PanelIn] = Field(default_factory=list, max_length=1000)


class _SettingsIn(_Loose):
    model_config = ConfigDict(extra="allow", strict=True)
    command: str


class _RunIn(_Loose):
    model_config = ConfigDict(extra="allow", strict=True)
    seed: int = 0
    inputs_sha256: dict[str, str]
    rules: dict[str, Any]
    settings: _SettingsIn


class _DocumentIn(_Loose):
    run: _RunIn
    disputes: list[_DisputeIn] = Field(max_length=100_000)


@dataclass(frozen=True)
class PanelsFile:
    """A checked ``solve`` or ``batch`` output: its run block, rule set and each dispute's panels."""

    run: dict[str, Any]
    rule_set: RuleSet
    panels: dict[str, list[ProposedPanel]]


def read_panels(document: Any, label: str) -> PanelsFile:
    """Check a panels document; ``InputError`` lists every problem (``label`` names the file)."""
    try:
        checked = _DocumentIn.model_validate(document)
    except ValidationError as exc:
        problems = [
            Problem(label, None, ".".join(str(p) for p in e["loc"]), "", e["msg"], "bad_panels", label="key")
            for e in exc.errors()[:50]
        ]
        raise InputError(problems) from None
    if checked.run.settings.command not in RECORDABLE:
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    "run.settings.command",
                    checked.run.settings.command,
                    "only the output of solve or batch holds panels to record",
                    "not_recordable",
                    label="key",
                )
            ]
        )
    rule_set = parse_rule_set(dict(checked.run.rules), f"{label} (run.rules)")
    panels = {
        d.dispute_id: [
            ProposedPanel(
                rank=p.rank,
                members=tuple(Seat(s.mediator_id, Role(s.role)) for s in p.members),
                objective=p.objective,
                scores=dict(p.scores),
            )
            for p in sorted(d.panels, key=lambda p: p.rank)
        ]
        for d in checked.disputes
    }
    return PanelsFile(checked.run.model_dump(), rule_set, panels)


def input_mismatches(run: dict[str, Any], ws: Workspace) -> list[str]:
    """Plain sentences naming each input file that is not the one the run was made from."""
    made_from: dict[str, str] = run.get("inputs_sha256", {})
    given = ws.data.inputs_sha256
    out = [
        f"{name} differs from the file the panels were made from"
        for name in made_from
        if given.get(name) not in (None, made_from[name])
    ]
    out += [f"{name} was used by the run but is not given now" for name in made_from if name not in given]
    out += [f"{name} is given now but the run did not use it" for name in given if name not in made_from]
    return out


def _check_offered(ws: Workspace, dispute_id: str, panel: ProposedPanel, rule_set: RuleSet) -> None:
    """Refuse, in plain words, a panel that breaks a hard rule or whose score is not what the file says."""
    if dispute_id not in ws.data.disputes_by_id:
        raise MatchingError(f"dispute {dispute_id} is not in the disputes file")
    members = [panel.chair_id, *(m for m in panel.member_ids if m != panel.chair_id)]
    check = check_panel(ws, dispute_id, members, rule_set)
    if check.breaches:
        broken = "; ".join(f"{b.rule} {b.mediator_id or 'the panel'}: {b.reason}" for b in check.breaches)
        raise MatchingError(f"the panel breaks a hard rule ({broken})")
    if check.scores is None or abs(check.scores.objective - panel.objective) > 1e-9:
        score = "cannot be scored" if check.scores is None else f"scores {check.scores.objective:.4f}"
        raise MatchingError(
            f"the file gives the panel a score of {panel.objective:.4f} but it {score} under the run's rules "
            "and these inputs: the file was changed after the run"
        )


@dataclass(frozen=True)
class Recorded:
    """What happened to one dispute of the file: recorded (``decision``) or refused (``error``)."""

    dispute_id: str
    decision: Decision | None = None
    error: str | None = None


def record_panels(
    store: DecisionStore,
    ws: Workspace,
    panels: PanelsFile,
    session: str,
    reason: str = "",
    progress: ProgressFactory = silent_progress,
) -> list[Recorded]:
    """Record the first panel of each dispute that has one, each in its own transaction."""
    run = {key: value for key, value in panels.run.items() if key not in ("started_at", "wall_seconds")}
    run.setdefault("extra_load", {})
    todo: Sequence[tuple[str, list[ProposedPanel]]] = [(d, p) for d, p in panels.panels.items() if p]
    out: list[Recorded] = [
        Recorded(d, error="the run found no panel for it") for d, p in panels.panels.items() if not p
    ]
    roster_room = capacity_left(ws.data)  # the store subtracts what it has recorded, in each transaction
    with progress(len(todo), "Recording decisions") as advance:
        for dispute_id, offered in todo:
            try:
                _check_offered(ws, dispute_id, offered[0], panels.rule_set)
                new = decision_from_panel(
                    ws,
                    dispute_id,
                    offered[0],
                    panels.rule_set,
                    candidates=offered,
                    reason=reason,
                    source="command line",
                    run=run,
                )
                out.append(Recorded(dispute_id, store.record(new, roster_room, session)))
            except MatchingError as exc:
                out.append(Recorded(dispute_id, error=str(exc)))
            advance()
    return out
