"""Pricing on the face of the relaxation's proofs (``QuotaOracle.face_best``) is a heuristic: it searches for at most
``FACE_TIME_LIMIT`` deterministic seconds, not the oracle's whole ``time_limit`` (on the assembly-shaped pool one such
call spent 30 units proving an answer it had found at 0.075), and still finds the heaviest selection on the face."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

import matching.lottery.compose as compose_module
from tests.test_lottery_polytope import oracle_of

PEOPLE = [[0, 0, 0], [0, 1, 1], [1, 2, 0], [1, 0, 1], [0, 2, 1], [1, 1, 0], [0, 0, 1], [1, 2, 1]]
QUOTAS = [("a", "a0", 1, 2), ("a", "a1", 1, 2), ("b", "b0", 0, 2), ("b", "b1", 0, 2), ("b", "b2", 1, 2)]
QUOTAS += [("c", "c0", 0, 2), ("c", "c1", 1, 3)]


def test_face_pricing_searches_within_its_own_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    limits: list[float] = []
    real = compose_module.cpsat_best

    def spy(*args: object, time_limit: float, **kwargs: object) -> compose_module.Pricing:
        limits.append(time_limit)
        return real(*args, time_limit=time_limit, **kwargs)  # type: ignore[arg-type]

    with tempfile.TemporaryDirectory() as folder:
        oracle = oracle_of(Path(folder), PEOPLE, 3, QUOTAS)
    proof = oracle.level_proof(list(range(oracle.n)), {})
    assert proof is not None and oracle.polytope.face is not None
    weights, best = proof
    monkeypatch.setattr(compose_module, "cpsat_best", spy)
    answer = oracle.face_best(weights)
    assert limits == [compose_module.FACE_TIME_LIMIT] and oracle.time_limit > compose_module.FACE_TIME_LIMIT
    assert answer is not None and answer.panel is not None and answer.value == best
    assert int(np.asarray(weights)[list(answer.panel)].sum()) == best
