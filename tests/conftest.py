import pytest
from django.test import Client

from core.roles import Role
from tests.factories import UserFactory, two_street_roster
from tests.queries import warm


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test passwords cheaply; production keeps Django's PBKDF2 default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def memory_cache(settings):
    """Each test starts with an empty in-memory cache, and a run leaves nothing in var/cache."""
    from django.core.cache import cache, caches

    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {"default": {"BACKEND": locmem}, "kept": {"BACKEND": locmem, "LOCATION": "kept"}}
    cache.clear()
    caches["kept"].clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored files (a street's scanned 回执) go to a temporary directory, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    """Background jobs run inside the request that starts them; tests/core/test_jobs.py tries the others."""
    settings.JOBS_RUNNER = "eager"


@pytest.fixture
def roster(db):
    """Two streets, each with one urban community, one level-3 grid and two staffed level-4 grids."""
    return two_street_roster()


@pytest.fixture
def users(roster):
    """One user per role; the street admin governs street a, street_b governs street b."""
    return {
        "center": UserFactory(role=Role.CENTER_STAFF),
        "street": UserFactory(role=Role.STREET_ADMIN, street=roster["a"]["street"]),
        "street_b": UserFactory(role=Role.STREET_ADMIN, street=roster["b"]["street"]),
        "finance": UserFactory(role=Role.FINANCE),
        "leader": UserFactory(role=Role.LEADER),
        "admin": UserFactory(role=Role.ADMIN, is_staff=True),
        "nobody": UserFactory(),
    }


@pytest.fixture
def client_for(users):
    """Return a logged-in test client for a role key of `users`, or an anonymous one for None."""

    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            client.force_login(users[key])
            warm(users[key])  # tests.queries
        return client

    return make


@pytest.fixture
def year(db):
    """The 2022 assessment year with its default rules and four open quarters."""
    from assessments.services.periods import ensure_year

    return ensure_year(year=2022)


@pytest.fixture
def q1(year):
    return year.periods.get(quarter=1)


@pytest.fixture
def budget(db):
    from decimal import Decimal

    from disbursements.models import Budget

    return Budget.objects.create(year=2022, amount=Decimal("4000000.00"))


@pytest.fixture
def locked_q1(users, roster, year, q1, budget):
    """Q1 rated and locked: street a's community is complaint-free, street b's has one complaint."""
    import datetime as dt

    from assessments.entries import RatingInput
    from assessments.models import HotlineComplaint
    from assessments.services.periods import lock_period
    from assessments.services.ratings import save_ratings

    a, b = roster["a"], roster["b"]
    entries = [
        RatingInput(a["level3"].pk, "excellent"),
        RatingInput(a["level4"][0].pk, "qualified"),
        RatingInput(a["level4"][1].pk, "basic"),
        RatingInput(b["level3"].pk, "qualified"),
        RatingInput(b["level4"][0].pk, "excellent"),
        RatingInput(b["level4"][1].pk, "qualified"),
    ]
    save_ratings(user=users["center"], period=q1, entries=entries)
    HotlineComplaint.objects.create(
        ticket_no="C-1",
        received_at=dt.datetime(2022, 2, 1, 2, tzinfo=dt.UTC),
        received_on=dt.date(2022, 2, 1),
        street=b["street"],
        community=b["community"],
    )
    return lock_period(user=users["center"], period=q1)


def pytest_xdist_make_scheduler(config, log):
    """Under `pytest -n` (the Makefile's runs), each worker takes whole files, so that a file's module fixture
    (a seeded demo, a cluster of servers) is built once; the browser journeys share one live site and run in
    order, so tests/e2e/ goes to one worker as a whole. (pytest-xdist's own `--dist loadgroup` marks do not
    reach the scheduler under pytest 9.2.)"""
    from xdist.scheduler import LoadFileScheduling

    class WholeFiles(LoadFileScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return "tests/e2e/" if path.startswith("tests/e2e/") else path

    return WholeFiles(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under `pytest -n`, the files with slow tests go out first, the browser journeys (the longest) before
    them: the quick files then fill the other workers' time instead of one worker finishing alone."""
    if not hasattr(config, "workerinput"):
        return
    slow = {item.nodeid.split("::", 1)[0] for item in items if item.get_closest_marker("slow")}

    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return 0 if path.startswith("tests/e2e/") else 1 if path in slow else 2

    items.sort(key=rank)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying the database, the rows of the data migrations (the roles' groups)
    among them. Run alone, pytest-django runs such tests last; under `pytest -n` a worker takes whole files, so
    the next test here finds them put back from the serialized copy taken when the test database was made."""
    result = yield
    if _transactional(item) and nextitem is not None and not _transactional(nextitem):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    return result
