"""The installable package: one copy of the data (top-level ``data/``, installed as ``matching.data``),
every subpackage and data file in the build configuration, and a wheel that works on its own.

The wheel test builds the wheel from a copy of the sources, installs it with ``--no-deps`` into a fresh
virtual environment outside the checkout, lends that environment the test environment's
dependencies through a ``.pth`` line (a plain path: the editable install's finder in there is never
activated, which the test checks through ``matching.__file__``), and runs the command line there
on the bundled demo data. No network is used.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import matching
from matching.core import paths

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _data_packages() -> dict[str, Path]:
    """matching.data and one package per folder below data/ that holds files."""
    found = {"matching.data": ROOT / "data"}
    for folder in sorted((ROOT / "data").rglob("*")):
        if folder.is_dir() and folder.name != "__pycache__":
            found[".".join(("matching.data", *folder.relative_to(ROOT / "data").parts))] = folder
    return found


def test_the_lock_pins_every_dependency_within_its_bounds() -> None:
    """requirements.lock is in step with pyproject.toml (re-run `make lock` after changing the dependencies)."""
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    wanted = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["dev"]]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} breaks {text}"


def test_every_subpackage_is_listed_in_pyproject() -> None:
    code = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "matching").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(SETUPTOOLS["packages"])
    assert code <= listed, f"add {sorted(code - listed)} to [tool.setuptools] packages"
    assert set(_data_packages()) <= listed, (
        f"add {sorted(set(_data_packages()) - listed)} to [tool.setuptools] packages"
    )
    assert SETUPTOOLS["package-dir"] == {"matching.data": "data"}
    for package in listed:  # nothing stale
        parts = package.split(".")
        folder = ROOT / "data" / Path(*parts[2:]) if parts[:2] == ["matching", "data"] else ROOT / Path(*parts)
        assert folder.is_dir(), package


def test_every_data_file_is_package_data() -> None:
    globs = SETUPTOOLS["package-data"]
    assert "py.typed" in globs["matching"] and (ROOT / "matching" / "py.typed").is_file()
    for package, folder in _data_packages().items():
        for file in folder.iterdir():
            if file.is_file() and file.suffix not in (".py", ".pyc"):
                assert any(fnmatch.fnmatch(file.name, g) for g in globs.get(package, [])), f"{file} is not package data"


def test_the_data_is_read_through_importlib_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHING_DATA_DIR", raising=False)
    bundled = resources.files(paths.DATA_PACKAGE)
    assert isinstance(bundled, Path)
    assert paths.data_dir() == bundled
    for name in ("rules/iomed.toml", "reference/countries.csv", "demo/mediators.csv", "demo/generator/names.csv"):
        assert bundled.joinpath(name).is_file(), name
    if Path(matching.__file__).resolve().is_relative_to(ROOT):
        # The editable install (or a checkout on the path) reads the top-level folder itself: one copy.
        assert bundled.resolve() == (ROOT / "data").resolve()


def test_matching_data_dir_overrides_all_but_the_generator_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MATCHING_DATA_DIR", str(tmp_path))
    assert paths.rules_dir() == tmp_path / "rules"
    assert paths.reference_dir() == tmp_path / "reference"
    assert paths.demo_dir() == tmp_path / "demo"
    assert paths.generator_dir() == Path(str(resources.files(paths.DATA_PACKAGE))) / "demo" / "generator"


def _shipped(path: Path) -> bool:
    return path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(python of a fresh venv with the wheel installed, a working folder outside the checkout, environment)."""
    base = tmp_path_factory.mktemp("package")
    assert not base.resolve().is_relative_to(ROOT)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MATCHING_DATA_DIR", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    # Build from a copy of what the wheel is made of, so no build/ or egg-info lands in the checkout.
    source = base / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("matching", "data"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for file in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / file, source / file)
    wheels = base / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, source],
        base,
        env,
    )
    (wheel,) = wheels.glob("matching-*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], base, env)
    python = venv / "bin" / "python"
    # Install before lending the dependencies, so pip sees only the new environment.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel], base, env)
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], base, env).stdout.strip()
    lent = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(site, "_lent_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(lent)), encoding="utf-8")

    work = base / "work"
    work.mkdir()
    return python, work, env


def test_the_wheel_runs_from_a_fresh_venv(installed: tuple[Path, Path, dict[str, str]]) -> None:
    python, work, env = installed
    venv = python.parent.parent
    probe = _run(
        [
            python,
            "-c",
            "import json, matching, importlib.resources as r; from matching.core import paths;"
            "d = r.files('matching.data');"
            "print(json.dumps({'matching': matching.__file__, 'data': str(paths.data_dir()),"
            " 'rules': sorted(p.name for p in d.joinpath('rules').iterdir()),"
            " 'countries': d.joinpath('reference', 'countries.csv').is_file(),"
            " 'generator': d.joinpath('demo', 'generator', 'names.csv').is_file(),"
            " 'typed': r.files('matching').joinpath('py.typed').is_file(),"
            " 'files': sorted(str(p.relative_to(r.files('matching'))) for p in r.files('matching').rglob('*')"
            "                 if p.is_file() and '__pycache__' not in p.parts)}))",
        ],
        work,
        env,
    )
    found = json.loads(probe.stdout)
    assert Path(found["matching"]).is_relative_to(venv), found  # the wheel, not the checkout
    assert Path(found["data"]).is_relative_to(venv), found
    assert {"iomed.toml", "icsid.toml", "uncitral-list.toml"} <= set(found["rules"])
    assert found["countries"] and found["generator"] and found["typed"], found
    # Every file of the checkout's package and data folders is in the wheel (code, templates, data).
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "matching").rglob("*") if _shipped(p)}
    expected = {name.removeprefix("matching/") for name in expected}
    expected |= {str(Path("data") / p.relative_to(ROOT / "data")) for p in (ROOT / "data").rglob("*") if _shipped(p)}
    assert expected <= set(found["files"]), sorted(expected - set(found["files"]))

    _run([python, "-m", "matching", "validate"], work, env)
    _run([venv / "bin" / "matching", "validate", "--rules", "icsid"], work, env)
    solved = _run([python, "-m", "matching", "solve", "--out", "out.json", "--candidates", "1"], work, env)
    assert str(venv) in solved.stderr + solved.stdout  # "using the bundled demo data in <venv>/..."

    with (ROOT / "data" / "demo" / "disputes.csv").open(encoding="utf-8", newline="") as fh:
        demo_ids = [row["dispute_id"] for row in csv.DictReader(fh)]
    result = json.loads((work / "out.json").read_text(encoding="utf-8"))
    by_id = {d["dispute_id"]: d for d in result["disputes"]}
    assert sorted(by_id) == sorted(demo_ids)
    infeasible = {i for i, d in by_id.items() if d["status"] == "infeasible"}
    assert infeasible <= {"D027", "D054"}  # the deliberately hard ones (data/demo/README.md)
    for dispute_id, dispute in by_id.items():
        if dispute_id not in infeasible:
            assert len(dispute["panels"]) == 1 and dispute["panels"][0]["members"], dispute_id


def test_the_wheel_generates_the_bundled_demo_data(installed: tuple[Path, Path, dict[str, str]]) -> None:
    python, work, env = installed
    _run([python, "-m", "matching", "demo-data", "--out", "demo"], work, env)
    for name in ("mediators.csv", "disputes.csv", "conflicts.csv", "preferences.csv", "appointments.csv"):
        assert (work / "demo" / name).read_bytes() == (ROOT / "data" / "demo" / name).read_bytes(), name
