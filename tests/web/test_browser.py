"""End to end in a real headless Chromium (Debian's, driven by Selenium through the system chromedriver).

Logs in, searches, opens a country page, confirms one event with the keyboard and rejects another with a
reason, then checks the audit trail and the precision report. Saves a screenshot of each page to
tests/artifacts/screenshots/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from vigil.search.review import review_store_for
from vigil.web.app import create_app

from .conftest import PASSWORD, SECRET, AlertStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


@pytest.fixture
def server(store: AlertStore) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(store, secret_key=SECRET), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the web server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def shot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(SHOTS / f"{name}.png"))


def wait(driver: WebDriver) -> WebDriverWait:  # type: ignore[type-arg,unused-ignore]
    return WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,))


def test_analyst_journey(server: str, browser: WebDriver, store: AlertStore) -> None:
    b = browser
    b.get(f"{server}/login?next=/search")
    shot(b, "01-login")
    b.find_element(By.ID, "username").send_keys("analyst1")
    b.find_element(By.ID, "password").send_keys(PASSWORD)
    b.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    wait(b).until(ec.url_contains("/search"))
    assert "analyst1 (analyst)" in b.find_element(By.CSS_SELECTOR, ".who").text

    box = b.find_element(By.ID, "q")
    box.send_keys("villagers")
    box.submit()
    wait(b).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".hit mark")))
    assert b.find_element(By.ID, "total").text == "1"
    assert b.find_element(By.CSS_SELECTOR, ".hit mark").text.lower() == "villagers"
    wait(b).until(lambda d: d.execute_script("return Chart.getChart('trend') !== undefined"))
    facet = wait(b).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#facets section a")))
    assert str(facet.get_attribute("href")).endswith("country=SD")
    shot(b, "02-search")

    b.find_element(By.CSS_SELECTOR, ".hit a[href='/countries/SD']").click()
    wait(b).until(ec.url_contains("/countries/SD"))
    assert b.execute_script("return Chart.getChart('country-trend').data.datasets.length") >= 3
    assert "rsf" in b.find_element(By.TAG_NAME, "main").text
    shot(b, "03-country")

    b.get(f"{server}/review?category=mass_killing")
    wait(b).until(lambda d: d.execute_script("return document.readyState") == "complete")
    items = b.find_elements(By.CSS_SELECTOR, ".item[data-event]")
    assert len(items) == 2
    first_id = items[0].get_attribute("data-event")
    first_title = items[0].find_element(By.CSS_SELECTOR, "h2").text
    shot(b, "04-queue")
    b.find_element(By.TAG_NAME, "body").send_keys("c")  # keyboard: confirm the focused (first) event
    wait(b).until(lambda d: "done=confirm" in d.current_url
                  and len(d.find_elements(By.CSS_SELECTOR, ".item[data-event]")) == 1)
    wait(b).until(lambda d: d.execute_script("return document.readyState") == "complete")
    remaining = b.find_element(By.CSS_SELECTOR, ".item[data-event]")
    second_id = remaining.get_attribute("data-event")
    Select(remaining.find_element(By.CSS_SELECTOR, "form[data-action='reject'] select")).select_by_value(
        "not_an_event")
    remaining.find_element(By.CSS_SELECTOR, "form[data-action='reject'] button").click()
    wait(b).until(lambda d: "done=reject" in d.current_url and "Nothing to review" in d.find_element(
        By.ID, "queue").text)
    assert "Nothing to review" in b.find_element(By.ID, "queue").text
    shot(b, "05-queue-done")

    b.get(f"{server}/review/audit")
    rows = [r.text for r in b.find_elements(By.CSS_SELECTOR, "#audit tbody tr")]
    assert len(rows) == 2
    assert "analyst1 reject not an event" in rows[0] and "analyst1 confirm" in rows[1]
    shot(b, "06-audit")

    b.get(f"{server}/review/precision")
    cells = [c.text for c in b.find_elements(By.CSS_SELECTOR, "#precision tbody tr td")]
    assert cells == ["mass_killing", "1", "0", "1", "50%"]
    shot(b, "07-precision")

    decisions = review_store_for(store).audit_trail()
    assert [(d.event_id, d.action) for d in decisions] == [(second_id, "reject"), (first_id, "confirm")]
    assert first_title
