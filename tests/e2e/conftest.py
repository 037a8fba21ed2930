"""A live site for the browser journeys: the demo district served by gunicorn, driven by Chromium.

The site runs as it would in production (DEBUG off, collected static files, whitenoise, gunicorn with
two workers) on its own database: a fresh SQLite file, or, when DATABASE_URL names PostgreSQL, a fresh
database beside it. Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser.
A journey that fails leaves a screenshot in var/e2e-screenshots/.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "e2e-screenshots"
PASSWORD = "wangcheng2022"
# Without the background-networking flags Chromium keeps trying to reach Google from an offline machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path) -> str:
    """A fresh database for the site: beside the suite's PostgreSQL database, or a new SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'site.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'wangcheng'}_e2e"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """Start the site with the demo district of 2022; yield (base URL, its environment, its folder)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `apt-get install chromium` (.ci/run does).")
    tmp = tmp_path_factory.mktemp("site")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp),
        "DEBUG": "false",
        "SECRET_KEY": "e2e-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",  # plain HTTP on loopback
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_DIR": str(tmp / "cache"),
        "STATIC_ROOT": str(tmp / "static"),
    }
    _run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    _run(["manage.py", "migrate", "--noinput", "-v0"], env)
    # 2023 is left to the first journey, which opens it through the page; prepare_site.py runs after it.
    _run(["manage.py", "seed_demo", "--year", "2022", "--without-next-year"], env)
    log = (tmp / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wangcheng.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((tmp / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        else:
            raise RuntimeError("the site did not start within 30 s")
        yield base, env, tmp
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module. Stopped afterwards: Playwright's event loop must not outlive the module,
    or Django would refuse the database to the tests that follow (async-unsafe)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def page(request, browser, live_site):
    """A fresh desktop browser context for one journey; CSP violations and page errors fail the journey."""
    yield from _journey_page(request, browser, live_site[0])


@pytest.fixture
def phone(request, browser, live_site):
    """As `page`, on a 375 px touch screen: what street staff use."""
    yield from _journey_page(request, browser, live_site[0], **PHONE)


def _journey_page(request, browser, base: str, **options):
    context = browser.new_context(base_url=base, locale="zh-CN", accept_downloads=True, **options)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    if getattr(request.node, "journey_failed", False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not problems, f"errors in the browser console: {problems}"


@pytest.fixture(scope="session")
def facts(live_site) -> dict:
    """What prepare_site.py sets up and writes, run once, when a journey first needs it: after the
    first journey has opened 2023 in the browser."""
    _base, env, tmp = live_site
    facts_file = tmp / "facts.json"
    _run(["tests/e2e/prepare_site.py", str(facts_file)], env)
    return json.loads(facts_file.read_text(encoding="utf-8"))


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
