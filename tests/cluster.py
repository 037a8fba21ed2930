"""A deployment of several app servers on this machine: gunicorn instances and a Celery worker sharing one
PostgreSQL database, one Redis (cache, sessions, broker) and one storage directory, as the README's
Production section describes. Used by the deployment test (tests/deploy) and the load test (bench/load.py).

Each process gets the production settings (DEBUG off, plain HTTP on loopback) and writes its log to a file
in the cluster's directory, which `log()` reads back.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgresql://postgres@{host}:{port}".format(
    host=os.environ.get("PG_HOST", "127.0.0.1"), port=os.environ.get("PG_PORT", "5432")
)
REDIS_SERVER = "redis://{host}:{port}".format(
    host=os.environ.get("REDIS_HOST", "127.0.0.1"), port=os.environ.get("REDIS_PORT", "6379")
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JOB_URL = re.compile(r"^/jobs/([0-9a-f-]{36})/$")
ROWS = re.compile(r"已处理 ([\d,]+) / ([\d,]+) 行")
STATUS = re.compile(r'data-status="(\w+)"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reachable(url: str) -> bool:
    """Whether a server's TCP port answers (PostgreSQL, Redis)."""
    host, port = re.match(r"\w+://(?:[^@/]*@)?([^:/]+):(\d+)", url).groups()
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    """The shared stores of one deployment and the processes started against them."""

    database: str  # a PostgreSQL database of its own, created afresh
    directory: Path  # logs, MEDIA_ROOT and STATIC_ROOT
    redis_cache: int  # Redis database numbers, emptied first
    redis_broker: int
    extra_env: dict = field(default_factory=dict)
    pg_server: str = PG_SERVER
    processes: dict = field(default_factory=dict)  # name -> Popen

    def __post_init__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        for missing in (u for u in (self.pg_server, REDIS_SERVER) if not reachable(u)):
            raise RuntimeError(
                f"{missing} is not reachable: the deployment needs PostgreSQL and Redis running on this machine"
            )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wangcheng.settings",
            "DEBUG": "0",
            "SECRET_KEY": "cluster-test-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",  # plain HTTP on loopback only
            "DATABASE_URL": f"{self.pg_server}/{self.database}",
            "REDIS_URL": f"{REDIS_SERVER}/{self.redis_cache}",
            "CELERY_BROKER_URL": f"{REDIS_SERVER}/{self.redis_broker}",
            "MEDIA_ROOT": str(self.directory / "media"),
            "STATIC_ROOT": str(self.directory / "static"),
            "LOG_LEVEL": "INFO",
            **self.extra_env,
        }

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def create(self, *, seed: list[str] | None) -> None:
        """Empty Redis databases, the static files, and a fresh database migrated and seeded with seed_demo's
        arguments (seed=None: the database as it is)."""
        import psycopg
        import redis

        if seed is not None:
            with psycopg.connect(f"{self.pg_server}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{self.database}"')
            self.manage("migrate", "--noinput", "-v0")
            self.manage("seed_demo", *seed)
        for number in (self.redis_cache, self.redis_broker):
            redis.Redis.from_url(f"{REDIS_SERVER}/{number}").flushdb()
        self.manage("collectstatic", "--noinput", "-v0")

    def drop(self) -> None:
        import psycopg

        self.stop_all()
        with psycopg.connect(f"{self.pg_server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def manage(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("a")
        # A process group of its own: stopping it stops gunicorn's workers (or the worker's children) too.
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def start_server(self, name: str, *, workers: int = 2) -> str:
        """Start gunicorn; its base URL once it answers /healthz."""
        port = free_port()
        command = [str(BIN / "gunicorn"), "wangcheng.wsgi", "--workers", str(workers)]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout", "120"]
        import gunicorn

        if gunicorn.version_info >= (23,):
            # Not the default control socket (~/.gunicorn/gunicorn.ctl), which another server may own.
            command.append("--no-control-socket")
        process = self._start(name, command)
        url = f"http://127.0.0.1:{port}/"
        self._wait_for(name, process, lambda: _answers(urljoin(url, "healthz")))
        return url

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        """Start a Celery worker that runs one job at a time in its own process (kill it to kill the job)."""
        command = [str(BIN / "celery"), "-A", "wangcheng", "worker", "--pool=solo", "--loglevel=info"]
        command += ["--without-gossip", "--without-mingle", "-n", f"{name}@%h"]
        process = self._start(name, command)
        self._wait_for(name, process, lambda: "ready." in self.log(name))
        return process

    def _wait_for(self, name: str, process: subprocess.Popen, ready, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.log(name)[-3000:]}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not start within {seconds:.0f} s:\n{self.log(name)[-3000:]}")

    def kill(self, name: str) -> None:
        """Kill a process and its children at once (SIGKILL): a machine that dies, not a clean stop."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
            del self.processes[name]

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


class Browser:
    """One user's HTTP session (cookies, CSRF token) that may talk to any of the servers."""

    def __init__(self, password: str):
        import requests

        self.session = requests.Session()
        self.password = password

    def get(self, server: str, path: str, **kwargs):
        return self.session.get(urljoin(server, path), allow_redirects=False, timeout=120, **kwargs)

    def post(self, server: str, path: str, data: dict | None = None, files=None, form_page: str = ""):
        """POST with the CSRF token of the form page (path itself unless given), read from the same server."""
        page = self.get(server, form_page or path)
        match = CSRF.search(page.text)
        token = match.group(1) if match else self.session.cookies.get("csrftoken", "")
        return self.session.post(
            urljoin(server, path),
            data={"csrfmiddlewaretoken": token, **(data or {})},
            files=files,
            allow_redirects=False,
            timeout=120,
            headers={"Referer": urljoin(server, form_page or path)},
        )

    def log_in(self, server: str, username: str) -> None:
        response = self.post(server, "/accounts/login/", {"username": username, "password": self.password})
        if response.status_code != 302 or "login" in response.headers.get("Location", ""):
            raise RuntimeError(f"login of {username} on {server} failed: HTTP {response.status_code}")

    def upload(self, server: str, path: str, data: bytes, filename: str = "花名册.xlsx") -> str:
        """Upload a workbook on an import page; the preview's path it redirects to."""
        response = self.post(server, path, files={"file": (filename, data, XLSX)})
        if response.status_code != 302:
            raise RuntimeError(
                f"upload to {path} refused: HTTP {response.status_code}\n{response.text[:2000]}"
            )
        return response.headers["Location"]

    @staticmethod
    def job_of(response) -> str:
        """The id of the background job a response redirected to."""
        match = JOB_URL.match(response.headers.get("Location", "")) if response.status_code == 302 else None
        if not match:
            raise RuntimeError(f"no job page: HTTP {response.status_code} {response.headers.get('Location')}")
        return match.group(1)

    def job_status(self, server: str, job: str) -> tuple[str, int, int, str]:
        """What the job page's progress block (the htmx fragment it polls) shows: status, rows done, rows in
        all, the block's HTML."""
        response = self.get(server, f"/jobs/{job}/", headers={"HX-Request": "true"})
        if response.headers.get("HX-Redirect"):  # done, and its page sends the user on (a preview)
            return "done", 0, 0, response.headers["HX-Redirect"]
        rows = ROWS.search(response.text)
        done, total = (int(n.replace(",", "")) for n in rows.groups()) if rows else (0, 0)
        return STATUS.search(response.text).group(1), done, total, response.text

    def wait_for_job(
        self, server, job, *, until=("done", "failed"), seconds=300, seen=None, every=0.1
    ) -> tuple[str, str]:
        """Poll a job's page every `every` seconds (the page itself: 1 s) until its status is one of `until`:
        (status, the block's HTML). `seen` collects every (status, done, total) read on the way."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, done, total, html = self.job_status(server, job)
            if seen is not None:
                seen.append((status, done, total))
            if status in until:
                return status, html
            time.sleep(every)
        raise RuntimeError(f"job {job} still {status} after {seconds} s")
