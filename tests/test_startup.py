"""Start-up stays quick (issue 14, item 11): what ``--help``, ``validate`` and the app's first page import.

No test asserts seconds (they depend on the machine); they assert the set of modules imported, which
is what made start-up slow: scikit-learn, OR-Tools, pandas and the like cost from a tenth of a second
to half a second each. Each check runs in a fresh interpreter, because this test process has long
imported everything. ``matching.api`` imports a name's module on first use; its table of where names
live is checked against its ``TYPE_CHECKING`` imports and ``__all__``.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import matching.api as api

ROOT = Path(__file__).resolve().parent.parent

# Libraries that take long to import; none of them is needed before a solve, a table or a chart.
HEAVY = frozenset({"altair", "highspy", "ortools", "pandas", "pyarrow", "scipy", "sklearn", "sqlalchemy"})
# What the help texts need even less (typer itself may import pydantic, so that one is allowed).
NOT_FOR_HELP = HEAVY | {"numpy", "jinja2", "streamlit"}
# The solver stack and the charts, which the app's first page (drawn before any search) does without.
NOT_FOR_FIRST_PAGE = frozenset({"altair", "highspy", "ortools", "pandas", "pyarrow", "scipy", "sklearn"})


def run_python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def imports_of_command(*args: str) -> set[str]:
    """Every module ``python -m matching ARGS`` has imported when it exits; the command must succeed.

    (Read from ``sys.modules``: ``-X importtime`` leaves out a module imported by ``importlib.import_module``,
    as ``matching.api`` imports its names.)
    """
    probe = f"""
import atexit, json, runpy, sys
atexit.register(lambda: sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["matching", *{list(args)!r}]
runpy.run_module("matching", run_name="__main__", alter_sys=True)
"""
    done = run_python("-c", probe)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))


def imports_of_code(code: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = run_python("-c", probe, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def packages(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_imports_no_heavy_library() -> None:
    loaded = packages(imports_of_command("--help"))
    assert "typer" in loaded  # the probe saw the command line's imports
    assert not loaded & NOT_FOR_HELP


def test_every_command_help_imports_no_heavy_library() -> None:
    code = """
from typer.main import get_command
from typer.testing import CliRunner
from matching.cli.main import app
names = sorted(get_command(app).commands)  # type: ignore[attr-defined]
assert {"validate", "solve", "batch", "lottery", "compose", "report"} <= set(names), names
for name in names:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, (name, result.output)
"""
    assert not packages(imports_of_code(code)) & NOT_FOR_HELP


def test_validate_on_the_demo_data_imports_no_solver() -> None:
    loaded = imports_of_command("validate")
    assert "matching.io.loading" in loaded
    assert not packages(loaded) & HEAVY


def test_importing_the_api_imports_nothing_behind_it() -> None:
    loaded = imports_of_code("import matching.api")
    assert {m for m in loaded if m.startswith("matching.")} == {"matching.api"}


def test_a_name_imports_only_its_own_module() -> None:
    loaded = imports_of_code("from matching.api import InputError, DEFAULT_FLOOR, SolveConfig")
    assert not packages(loaded) & NOT_FOR_HELP
    assert "matching.lottery.dispute" not in loaded


def test_first_page_of_the_app_imports_no_solver(tmp_path: Path) -> None:
    code = f"""
from matching.api import CommandLine, DecisionStore
DecisionStore().add_user("Ana Registrar", "registrar", "a long test password", by=CommandLine("tests"))
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=60).run()
assert not at.exception, at.exception
assert [t.value for t in at.title] == ["Sign in"], [t.value for t in at.title]
at.text_input(key="sign-in-name").set_value("Ana Registrar")
at.text_input(key="sign-in-password").set_value("a long test password")
next(b for b in at.button if b.label == "Sign in").click().run()
assert not at.exception, at.exception
assert "Find panels" in [b.label for b in at.button], [b.label for b in at.button]
"""
    loaded = imports_of_code(code, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'decisions.sqlite'}"})
    assert "matching.rules.workspace" in loaded  # the page drew the demo data's disputes
    assert not packages(loaded) & NOT_FOR_FIRST_PAGE


def type_checking_imports() -> dict[str, tuple[str, str]]:
    """Public name -> (module, name there), from the ``if TYPE_CHECKING:`` block of ``matching/api.py``."""
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    )
    found: dict[str, tuple[str, str]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names:
            found[alias.asname or alias.name] = (node.module, alias.name)
    return found


def test_the_api_table_matches_its_type_checking_imports_and_all() -> None:
    homes = {name: (module, api._RENAMED.get(name, name)) for name, module in api._HOME.items()}
    assert homes == type_checking_imports()
    assert sorted(api.__all__) == sorted(homes)
    assert len(api.__all__) == len(set(api.__all__))


@pytest.mark.parametrize("name", sorted(api.__all__))
def test_every_api_name_is_the_object_of_its_home_module(name: str) -> None:
    module, there = type_checking_imports()[name]
    assert getattr(api, name) is getattr(importlib.import_module(module), there)
    assert name in dir(api)


def test_an_unknown_api_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = api.no_such_name  # type: ignore[attr-defined]
    assert not hasattr(api, "Workspaces")
