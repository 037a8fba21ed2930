"""Plays the 12345 platform against the data-exchange API: pushes a quarter's tickets in batches of 500,
pushes them all again (nothing may change), then reads the quarter's zero-complaint results back.

Against a running site (the README's walk-through), with a client's token:
    .venv/bin/python bench/api_push.py --url http://127.0.0.1:8000 --token wc_…
In-process on the demo data of DATABASE_URL (bench/run's row; a client is registered for the run and
every write is rolled back), through the whole Django stack:
    DATABASE_URL=… .venv/bin/python bench/api_push.py --results FILE

The tickets are a city platform's: about a third of another district (refused), every ticket type, the
villages named as the district's roster names them (read from the API's own results) or as a
村民委员会/居委会, a few names no village has (answered unmatched).
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 500
TYPES = ["投诉", "投诉", "投诉", "咨询", "建议", "求助", "表扬"]
OTHER_DISTRICTS = ["开福区", "岳麓区", "长沙县"]


class Http:
    """The API over HTTP (requests), as the platform would call it."""

    def __init__(self, url: str, token: str):
        import requests

        self.url, self.session = url.rstrip("/"), requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> dict:
        response = self.session.get(self.url + path, timeout=60)
        return _checked(response.status_code, response.json())

    def post(self, path: str, body: dict) -> dict:
        response = self.session.post(self.url + path, json=body, timeout=120)
        return _checked(response.status_code, response.json())


class InProcess:
    """The API through Django's test client: the whole stack (middleware, DRF, services), no network."""

    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str) -> dict:
        response = self.client.get(path)
        return _checked(response.status_code, response.json())

    def post(self, path: str, body: dict) -> dict:
        response = self.client.post(path, data=json.dumps(body), content_type="application/json")
        return _checked(response.status_code, response.json())


def _checked(status: int, body):
    if status != 200:
        sys.exit(f"API answered {status}: {body}")
    return body


def tickets(communities, period: dict, count: int, seed: int = 12345) -> list[dict]:
    rng = random.Random(seed)
    start = dt.date.fromisoformat(period["starts_on"])
    days = (dt.date.fromisoformat(period["ends_on"]) - start).days + 1
    items = []
    for n in range(count):
        street, community = communities[rng.randrange(len(communities))]
        moment = dt.datetime.combine(
            start + dt.timedelta(days=rng.randrange(days)), dt.time(8)
        ) + dt.timedelta(minutes=rng.randrange(600))
        item = {
            "ticket_no": f"API{start:%Y%m}{n:07d}",
            "received_at": moment.isoformat() + "+08:00",
            "complaint_type": TYPES[n % len(TYPES)],
            "category": "市容环境",
            "content": "反映问题",
        }
        if rng.random() < 0.33:
            item |= {"district": OTHER_DISTRICTS[n % 3], "community": community}
        elif n % 50 == 0:
            item |= {"district": "望城区", "street": street, "community": "无此村"}
        else:
            written = (
                community
                if n % 2
                else (f"{community}村民委员会" if community.endswith("村") else f"{community}居委会")
            )
            item |= {"district": "望城区", "street": street, "community": written}
        items.append(item)
    return items


def play(
    api, *, year: int | None, quarter: int | None, count: int
) -> list[tuple[str, str, str, bool | None]]:
    periods = api.get(f"/api/v1/periods/?year={year}" if year else "/api/v1/periods/")
    chosen = [p for p in periods if (quarter is None and not p["is_locked"]) or p["quarter"] == quarter]
    if not chosen:
        sys.exit("no open quarter to push into (give --year and --quarter)")
    period = chosen[0]
    label = f"{period['year']}年第{period['quarter']}季度"
    communities, page = [], f"/api/v1/periods/{period['id']}/zero-complaint/?page_size=1000"
    while page:
        body = api.get(page)
        communities += [(r["street"], r["community"]) for r in body["results"]]
        page = body["next"] and body["next"][body["next"].index("/api/") :]
    items = tickets(communities, period, count)
    print(
        f"pushing {len(items):,} tickets of {label} for {len(communities)} villages/communities, {BATCH} a call"
    )
    tally: dict[str, int] = {}
    start = time.perf_counter()
    for first in range(0, len(items), BATCH):
        answer = api.post("/api/v1/hotline/tickets/", {"items": items[first : first + BATCH]})
        for item in answer["items"]:
            tally[item["result"]] = tally.get(item["result"], 0) + 1
    pushed = time.perf_counter() - start
    print(f"  first push: {pushed:.2f} s — {tally}")
    again: dict[str, int] = {}
    start = time.perf_counter()
    for first in range(0, len(items), BATCH):
        answer = api.post("/api/v1/hotline/tickets/", {"items": items[first : first + BATCH]})
        for item in answer["items"]:
            again[item["result"]] = again.get(item["result"], 0) + 1
    resent = time.perf_counter() - start
    nothing_new = again.get("created", 0) + again.get("unmatched", 0) == 0
    print(f"  the same again: {resent:.2f} s — {again}")
    results = []
    page = f"/api/v1/periods/{period['id']}/zero-complaint/?page_size=1000"
    while page:
        body = api.get(page)
        results += body["results"]
        page = body["next"] and body["next"][body["next"].index("/api/") :]
    zero = [r for r in results if r["is_zero"]]
    reward = sum(float(r["reward"]) for r in zero)  # printed only; the API sends money as exact strings
    print(
        f"  zero-complaint results read back: {len(zero)} of {len(results)} villages/communities, reward {reward:,.2f} 元"
    )
    return [
        (f"API: push {len(items):,} 12345 tickets, {BATCH} a call", "< 10 s", f"{pushed:.2f} s", pushed < 10),
        (
            f"API: push the same {len(items):,} again (no change)",
            "nothing written",
            f"{resent:.2f} s, {'nothing written' if nothing_new else 'WROTE AGAIN'}",
            nothing_new,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running site (else in-process on DATABASE_URL's demo data)")
    parser.add_argument("--token", help="the client's token (with --url)")
    parser.add_argument("--year", type=int)
    parser.add_argument("--quarter", type=int)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    if args.url:
        if not args.token:
            sys.exit("--url needs --token (manage.py api_client add …)")
        rows = play(Http(args.url, args.token), year=args.year, quarter=args.quarter, count=args.count)
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.db import transaction

        from core import api_clients
        from core.models import ApiScope, User

        settings.API_RATE = "100000/min"  # one client's whole quarter in a burst
        with transaction.atomic():
            admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
            _client, token = api_clients.register_client(
                user=admin, name="基准测试：12345平台", scopes=[ApiScope.PUSH_HOTLINE, ApiScope.READ_RESULTS]
            )
            rows = play(InProcess(token), year=args.year, quarter=args.quarter, count=args.count)
            transaction.set_rollback(True)
    from benchlib import Row, write_rows

    write_rows(args.results, [Row("API · 12345 push", *row) for row in rows])


if __name__ == "__main__":
    main()
