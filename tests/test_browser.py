"""The app in a real browser: Debian's chromium driven by Playwright against ``streamlit run``.

One journey, as a registrar and a reviewer would make it: open the app, sign in, solve a dispute,
lock a mediator in, record the decision, see it on the review page, and download the decisions
CSV. The app runs as a subprocess on a free port with its own temporary decisions database, which
holds one registrar's account. Any uncaught exception in the page (``stException``) fails the test.

Set ``UPDATE_SCREENSHOTS=1`` to refresh the screenshots in ``docs/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip(
        "chromium is not installed: apt-get install -y chromium chromium-driver (the browser tests need it)",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip("playwright.sync_api", reason="pytest-playwright is not installed (dev extra)")
Page = playwright_api.Page
expect = playwright_api.expect

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
WAIT = 90_000  # ms: solves share two cores with other work
REGISTRAR = "Ana Registrar"
PASSWORD = "a long browser-test password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright launches Debian's chromium (no browser downloads here)."""
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with a decisions database of its own: no decision, one registrar."""
    from matching.records.store import DecisionStore
    from matching.records.users import CommandLine

    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'decisions.sqlite'}"}
    store = DecisionStore(env["DATABASE_URL"])
    store.add_user(REGISTRAR, "registrar", PASSWORD, by=CommandLine("browser tests"))
    store.close()
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("streamlit did not start:\n" + (folder / "streamlit.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def no_exception(page: Page) -> None:
    """Fail when the page shows an uncaught exception."""
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        pytest.fail("The app shows an exception: " + errors.first.inner_text())


def wait_idle(page: Page) -> None:
    """Wait until streamlit has finished running the script: the app says so (``data-test-script-state``), and the
    status widget has gone. The status widget alone shows a run only after a delay, so under load a rerun could
    still be drawing when it was absent (a recording's form was redrawn, collapsed, under the test's clicks)."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=WAIT
    )
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=WAIT)


def sign_in(page: Page, app_url: str) -> None:
    """Open the app and sign in as the registrar; the Candidate panels page follows."""
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=WAIT)
    no_exception(page)
    page.get_by_role("textbox", name="Name").fill(REGISTRAR)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {REGISTRAR} (registrar)")).to_be_visible(timeout=WAIT)
    wait_idle(page)
    no_exception(page)


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


def test_solve_lock_record_review_and_download(page: Page, app_url: str, tmp_path: Path) -> None:
    sign_in(page, app_url)
    find = page.get_by_role("button", name="Find panels")
    expect(find).to_be_visible(timeout=WAIT)
    no_exception(page)

    search = page.get_by_role("textbox", name="Search disputes")
    search.fill("D004")
    search.press("Enter")
    expect(page.get_by_text("Mining concession in Egypt", exact=False).first).to_be_visible(timeout=WAIT)
    wait_idle(page)

    find.click()
    expect(page.get_by_text("5 panels found", exact=False)).to_be_visible(timeout=WAIT)
    no_exception(page)
    expect(page.get_by_text("Panel 1 (the best panel found)", exact=False)).to_be_visible()

    # Lock the first panel's second member in: every panel found again must hold them.
    first_card = page.locator(".st-key-card-1")
    # Streamlit draws a card in steps (the chair first): wait for its members before reading them.
    expect(first_card.get_by_text("Member:", exact=False).first).to_be_visible(timeout=WAIT)
    found = re.search(r"Member: ([^(]+) \((\w+)\)", first_card.inner_text())
    assert found, first_card.inner_text()
    locked_name, locked_id = found.group(1).strip(), found.group(2)
    first_card.get_by_role("button", name="Lock in").nth(1).click()
    banner = f"locked in: {locked_name} ({locked_id})"  # the name, with the id in brackets
    expect(page.get_by_text(banner, exact=False)).to_be_visible(timeout=WAIT)
    wait_idle(page)
    no_exception(page)
    # Under load the rerun may still be drawing its cards when the status widget goes: wait for them.
    expect(page.locator(".st-key-card-2")).to_be_visible(timeout=WAIT)
    wait_idle(page)
    cards = page.locator("[class*='st-key-card-']")
    assert cards.count() >= 2
    for i in range(cards.count()):
        expect(cards.nth(i)).to_contain_text(locked_id, timeout=WAIT)
    page.get_by_text("Panel 1 (the best panel found)", exact=False).scroll_into_view_if_needed()
    screenshot(page, "registrar.png")

    # Record panel 1 with a note.
    wait_idle(page)
    first_card = page.locator(".st-key-card-1")
    first_card.get_by_text("Record this panel as the decision").click()
    first_card.get_by_role("textbox", name="Note for the record").fill("Agreed by both parties at the hearing.")
    first_card.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Recorded decision #1 for D004", exact=False)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Decision #1 is recorded", exact=False)).to_be_visible()
    no_exception(page)

    # The review page shows it.
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Neutrality review").click()
    expect(page.get_by_role("heading", name="Neutrality review")).to_be_visible(timeout=WAIT)
    wait_idle(page)
    no_exception(page)
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Recorded panels")).to_contain_text("1")
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Seats")).to_contain_text("3")
    page.get_by_role("tab", name="One panel").click()
    expect(page.get_by_text("Bloc alignment with each party")).to_be_visible(timeout=WAIT)
    no_exception(page)
    page.get_by_role("tab", name="All recorded panels").click()
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=WAIT)
    page.wait_for_timeout(1000)  # let the charts draw
    screenshot(page, "review.png")

    # Download the decisions and read the file.
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="Download all decisions (CSV)").click()
    target = tmp_path / "decisions.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["dispute_id"] == "D004" and row["status"] == "recorded"
    assert locked_id in row["members"].split(";") and len(row["members"].split(";")) == 3
    assert row["recorded_by"] == REGISTRAR and row["note"] == "Agreed by both parties at the hearing."
    assert "mediators.csv=" in row["inputs_sha256"]
    no_exception(page)


def test_fair_lottery_tab_draws_and_downloads(page: Page, app_url: str, tmp_path: Path) -> None:
    sign_in(page, app_url)
    search = page.get_by_role("textbox", name="Search disputes")
    expect(search).to_be_visible(timeout=WAIT)
    search.fill("D043")
    search.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Find panels").click()
    expect(page.get_by_text("5 panels found", exact=False)).to_be_visible(timeout=WAIT)
    page.get_by_role("tab", name="Fair lottery").click()
    page.get_by_role("button", name="Run the lottery").click()
    expect(page.get_by_text("The lottery drew ticket", exact=False)).to_be_visible(timeout=WAIT)
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_text("Drawn by the lottery", exact=False)).to_be_visible()
    expect(page.get_by_text("The best panel (the optimum)", exact=False)).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=WAIT)
    page.wait_for_timeout(1000)  # let the chart draw
    page.get_by_text("Drawn by the lottery", exact=False).scroll_into_view_if_needed()
    screenshot(page, "lottery.png")

    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="Download the lottery (JSON)").click()
    target = tmp_path / "lottery.json"
    info.value.save_as(target)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["dispute_id"] == "D043" and document["seed"] == 0 and document["tickets"] == 1000
    assert sum(document["probabilities"].values()) == pytest.approx(2)  # two mediators per panel
    drawn = {m["mediator_id"] for m in document["drawn"]["members"]}
    assert drawn in [{m["mediator_id"] for m in p["members"]} for p in document["panels"]]
    assert "inputs_sha256" in document["run"]

    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("button", name="Download the chances (CSV)").click()
    target = tmp_path / "chances.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == document["eligible"]
    assert {r["mediator"] for r in rows if r["in drawn panel"] == "True"} == drawn
    assert sum(float(r["chance"]) for r in rows) == pytest.approx(2)
    no_exception(page)
