"""Locust users for the load test: center staff and street admins browsing and saving ratings, finance
officers approving batches, leaders reading reports. Started by bench/load.py, which prepares the data,
runs gunicorn and checks the database afterwards; it can also be run alone against a running server:

    BENCH_LOAD_PLAN=bench/out/load-plan.json locust -f bench/locustfile.py --host http://127.0.0.1:8000

Every request goes through the real pages and forms (login, CSRF token, rating-entry form, workflow
transition). A refusal shown as a page message (超出预算, already approved) is an answer, not an error;
any other status than the one the page gives is a failure. Users record what they saved and which
approvals succeeded, so that bench/load.py can compare with the database.
"""

import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import gevent
from locust import HttpUser, between, task
from locust.env import Environment
from locust.stats import StatsEntry

PLAN = json.loads(Path(os.environ.get("BENCH_LOAD_PLAN", "bench/out/load-plan.json")).read_text())
PASSWORD = PLAN["password"]
HOSTS: list[str] = []  # the app servers' base URLs (--host, comma-separated)
spread = itertools.count()
WAIT = [float(s) for s in os.environ.get("BENCH_WAIT", "1,3").split(",")]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The rating page's formset: its management form and each row's grid id, posted back as the page has them.
FORMSET_KEYS = re.compile(r'<input type="hidden" name="(row-[^"]+)" value="([^"]*)"')
ALERT = re.compile(r'<div class="alert alert-(\w+) alert-dismissible[^>]*>\s*(.*?)\s*<button', re.S)
RATINGS = ["excellent", "qualified", "basic", "unqualified"]
RATING_WEIGHTS = [2, 80, 13, 5]

# What the users did, read back by bench/load.py.
logged_in = 0
saved: dict[int, list] = {}  # grid id -> [rating, score, remark] of its last confirmed save
pending: dict[int, list] = {}  # grid id -> values of a save whose answer has not come back yet
unknown: set[int] = set()  # grids whose save failed without an answer: the outcome is not known
approvals: dict[int, list[str]] = {}  # batch id -> outcome of each attempt
outcomes: Counter = Counter()
failures: list[str] = []


def _messages(html: str) -> list[tuple[str, str]]:
    return ALERT.findall(html)


def _partition(items: list, index: int, parts: int) -> list:
    return [item for i, item in enumerate(items) if i % parts == index]


class BenchUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    username = ""
    pages: list[tuple[str, str, int]] = []  # (name, url, weight)

    def on_start(self):
        global logged_in
        # The users are spread over the app servers in turn, as a load balancer would; a user stays on one
        # (its session would hold on any other: sessions live in Redis).
        self.client.base_url = HOSTS[next(spread) % len(HOSTS)]
        html = self.page("login: form", "/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.token(html)},
            name="login: POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "login" in response.headers.get("Location", ""):
                self.fail(response, f"login of {self.username}")
                return
        logged_in += 1

    def fail(self, response, what: str) -> None:
        message = f"{what}: HTTP {response.status_code} {response.request.method} {response.request.path_url}"
        failures.append(message)
        response.failure(message)

    def token(self, html: str) -> str:
        match = CSRF.search(html or "")
        return match.group(1) if match else self.client.cookies.get("csrftoken", "")

    def page(self, name: str, url: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                self.fail(response, name)
                return ""
            return response.text

    @task(3)
    def browse(self):
        name, url, _weight = random.choices(self.pages, weights=[p[2] for p in self.pages])[0]
        self.page(f"page: {name}", url)


def _district_pages(street_id: int | None) -> list[tuple[str, str, int]]:
    """Pages of every role that works with grids; street admins see their own street, and not the
    district's own pages."""
    p = PLAN
    community = p["tree_community"][str(street_id)] if street_id else p["tree_community"]["all"]
    return [
        ("grid overview", "/grids/", 3),
        ("grid tree", "/grids/tree/", 2),
        ("grid tree, a community open", f"/grids/tree/?community={community}", 2),
        ("grid list", "/grids/list/", 2),
        ("grid list, filtered, page 5", "/grids/list/?level=4&staffed=true&sort=-name&page=5", 1),
        ("staff list", "/grids/staff/", 1),
        ("quarters", "/assessments/", 1),
        ("rating overview", f"/assessments/periods/{p['period']}/ratings/", 2),
        (
            "rating overview, one street",
            f"/assessments/periods/{p['period']}/ratings/?street={street_id or p['streets']['street']}",
            1,
        ),
        ("zero-complaint page", f"/assessments/periods/{p['locked_period']}/zero-complaint/", 1),
        ("ticket list", "/assessments/tickets/", 2),
        ("ticket list, filtered, page 3", "/assessments/tickets/?status=closed&sort=grid&page=3", 1),
        ("ticket statistics", "/assessments/tickets/statistics/", 1),
        ("batch list", "/funds/batches/", 1),
        ("batch page (2022 Q4)", f"/funds/batches/{p['quarterly_batch']}/", 1),
    ] + (
        []
        if street_id
        else [  # the district's own pages: a street admin is refused them (core.access policy)
            ("budget page", "/funds/?year=2023", 1),
            ("dashboard", "/reports/?year=2022", 1),
            ("self-evaluation", "/reports/self-evaluation/2022/", 1),
        ]
    )


class RatingUser(BenchUser):
    """Browses and saves the ratings of its own villages/communities (no two users share one)."""

    abstract = True
    street_key = ""  # "" for center staff (the streets no street admin in the test rates)
    counter = None

    def on_start(self):
        super().on_start()
        index = next(type(self).counter)
        if self.street_key:
            street = PLAN["streets"][self.street_key]
            mine = [pk for pk, s in PLAN["communities"] if s == street]
        else:
            busy = set(PLAN["streets"].values())
            mine = [pk for pk, s in PLAN["communities"] if s not in busy]
        self.communities = _partition(mine, index % self.fixed_count, self.fixed_count)
        self.tag = f"{self.username}#{index}"
        self.saves = 0

    @task(2)
    def rate(self):
        if not self.communities:
            return
        community = random.choice(self.communities)
        url = f"/assessments/periods/{PLAN['period']}/ratings/{community}/"
        html = self.page("page: rating entry", url)
        keys = dict(FORMSET_KEYS.findall(html or ""))
        rows = {key.removesuffix("-grid"): int(value) for key, value in keys.items() if key.endswith("-grid")}
        grids = list(rows.values())
        if not html or not grids:
            return
        self.saves += 1
        values = {}
        data = {"csrfmiddlewaretoken": self.token(html), **keys}
        for row, grid in rows.items():
            rating = random.choices(RATINGS, weights=RATING_WEIGHTS)[0]
            score = f"{random.uniform(60, 100):.2f}"
            remark = f"压测 {self.tag} 第{self.saves}次保存"
            data.update({f"{row}-rating": rating, f"{row}-score": score, f"{row}-remark": remark})
            values[grid] = [rating, score, remark]
        pending.update(values)
        with self.client.post(
            url, data=data, name="save: rating entry POST", allow_redirects=False, catch_response=True
        ) as response:
            for grid in grids:
                pending.pop(grid, None)
            if response.status_code == 302:
                saved.update(values)
                outcomes["rating saves"] += 1
                outcomes["grid ratings written"] += len(grids)
            elif response.status_code == 200 and any(tag == "danger" for tag, _ in _messages(response.text)):
                outcomes["rating saves refused (page message)"] += 1
            else:
                unknown.update(grids)
                self.fail(response, "rating save")
                return
        if response.status_code == 302:
            after = self.page("page: rating entry, after saving", url)
            if after and not any(tag == "success" for tag, _ in _messages(after)):
                failures.append(f"rating save without a success message: {url}")


class CenterUser(RatingUser):
    fixed_count = 28
    username = "center"
    counter = itertools.count()

    def on_start(self):
        super().on_start()
        self.pages = _district_pages(None)


class StreetUser(RatingUser):
    fixed_count = 16
    username = "street"
    street_key = "street"
    counter = itertools.count()

    def on_start(self):
        super().on_start()
        self.pages = _district_pages(PLAN["streets"]["street"])


class Street2User(StreetUser):
    username = "street2"
    street_key = "street2"
    counter = itertools.count()

    def on_start(self):
        RatingUser.on_start(self)
        self.pages = _district_pages(PLAN["streets"]["street2"])


# The submitted batches, handed out one at a time to the finance officers.
supply = list(PLAN["batches"])
handed_out: list[int] = []


class FinanceUser(BenchUser):
    fixed_count = 10
    username = "finance"
    pages = [
        ("budget page", "/funds/?year=2023", 2),
        ("batch list", "/funds/batches/", 2),
        ("batch list, 2023 special", "/funds/batches/?kind=special&status=submitted", 1),
        ("finance queue", "/funds/queue/", 2),
        ("batch page (2022 Q4)", f"/funds/batches/{PLAN['quarterly_batch']}/", 1),
        ("dashboard", "/reports/?year=2023", 1),
    ]

    @task(4)
    def approve(self):
        # Now and then a batch someone already handled: a second approval must have no effect.
        if supply and (not handed_out or random.random() > 0.1):
            batch = supply.pop(0)
            handed_out.append(batch)
        elif handed_out:
            batch = random.choice(handed_out)
        else:
            return
        url = f"/funds/batches/{batch}/"
        html = self.page("page: batch page (2023 special)", url)
        if not html:
            return
        with self.client.post(
            f"{url}approve/",
            data={"csrfmiddlewaretoken": self.token(html), "comment": "压测审核"},
            name="approve: transition POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                self.fail(response, "approve")
                approvals.setdefault(batch, []).append("error")
                return
        after = self.page("page: batch page, after approving", url)
        found = _messages(after)
        if any(tag == "success" for tag, _ in found):
            outcome = "approved"
        elif any("超出预算" in text for _, text in found):
            outcome = "refused: over budget"
        elif any(tag == "danger" for tag, _ in found):
            outcome = "refused: not submitted any more"
        else:
            outcome = "no message"
            failures.append(f"approval without a message: batch {batch}")
        approvals.setdefault(batch, []).append(outcome)
        outcomes[f"approvals {outcome}"] += 1


class Finance2User(FinanceUser):
    username = "finance2"


class LeaderUser(BenchUser):
    fixed_count = 20
    username = "leader"
    pages = [
        ("dashboard", "/reports/?year=2022", 3),
        ("dashboard 2023", "/reports/?year=2023", 1),
        ("self-evaluation", "/reports/self-evaluation/2022/", 2),
        ("monthly bulletin", "/reports/bulletins/2022/12/", 1),
        ("budget page", "/funds/?year=2022", 2),
        ("batch list", "/funds/batches/", 1),
        ("grid overview", "/grids/", 2),
        ("ticket statistics", "/assessments/tickets/statistics/", 1),
        ("rating overview", f"/assessments/periods/{PLAN['period']}/ratings/", 1),
    ]


USER_CLASSES = [CenterUser, StreetUser, Street2User, FinanceUser, Finance2User, LeaderUser]


def _summary(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "median_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else 0,
        "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else 0,
        "p99_ms": entry.get_response_time_percentile(0.99) if entry.num_requests else 0,
        "max_ms": round(entry.max_response_time or 0),
    }


def _group(env: Environment, prefix: str) -> dict:
    group = StatsEntry(env.stats, prefix, "")
    for entry in env.stats.entries.values():
        if entry.name.startswith(prefix):
            group.extend(entry)
    return _summary(group)


def scale_users(total: int) -> None:
    """Each kind of user in proportion to the 100 of the mix (at least one of each), adding up to total."""
    whole = sum(cls.fixed_count for cls in USER_CLASSES)
    # Worked out before any is set: a subclass (Street2User) reads its parent's count until it has its own.
    counts = {cls: max(1, round(cls.fixed_count * total / whole)) for cls in USER_CLASSES}
    counts[max(counts, key=counts.get)] += total - sum(counts.values())
    for cls, count in counts.items():
        cls.fixed_count = count


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the load test's users (see bench/load.py).")
    parser.add_argument("--host", required=True, help="the app servers' base URLs, comma-separated")
    parser.add_argument("--duration", type=float, default=120, help="seconds measured after all logged in")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, help="this many users in all, in the same mix (default 100)")
    args = parser.parse_args()
    if args.users:
        scale_users(args.users)
    users = sum(cls.fixed_count for cls in USER_CLASSES)

    HOSTS.extend(host.rstrip("/") for host in args.host.split(","))
    env = Environment(user_classes=USER_CLASSES, host=HOSTS[0], stop_timeout=60)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=args.spawn_rate)
    deadline = time.monotonic() + 120
    while logged_in < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    logins = _group(env, "login: POST")
    # Logins (PBKDF2, 1,000,000 iterations) happen once per user; the window measures the work after them.
    env.stats.reset_all()
    print(f"{logged_in} users logged in; measuring {args.duration:.0f} s", file=sys.stderr, flush=True)
    started = time.monotonic()
    gevent.sleep(args.duration)
    runner.stop()  # lets every user finish its current task (stop_timeout), so no answer is lost
    elapsed = time.monotonic() - started
    runner.quit()

    total = env.stats.total
    result = {
        "users": users,
        "logged_in": logged_in,
        "seconds": elapsed,
        "logins": logins,
        "all": _summary(total),
        "rps": total.num_requests / elapsed,
        "pages": _group(env, "page: "),
        "saves": _group(env, "save: "),
        "approvals": _group(env, "approve: "),
        "by_name": {entry.name: _summary(entry) for entry in env.stats.entries.values()},
        "errors": {str(k): v.occurrences for k, v in env.stats.errors.items()},
        "failures": failures[:50],
        "failure_count": len(failures),
        "outcomes": dict(outcomes),
        "saved": {str(k): v for k, v in saved.items()},
        "unknown": sorted(unknown | set(pending)),
        "approval_attempts": {str(k): v for k, v in approvals.items()},
        "classes": {cls.username: cls.fixed_count for cls in USER_CLASSES},
        "cpu_seconds": time.process_time(),  # this process's own CPU use, for the CPU row
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
