"""Change marks (core.changes): a kept result comes back until a table it was computed from is written, by
whatever path the write takes, and never after."""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from core import changes
from core.models import BackupRecord
from disbursements.models import Budget

TABLE = Budget._meta.db_table


def mark() -> str:
    return changes.marks([TABLE])[TABLE]


def kept_total(calls: list) -> Decimal:
    def compute():
        calls.append(1)
        return sum(Budget.objects.values_list("amount", flat=True), Decimal(0))

    return changes.remember("test-total", compute)


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: Budget.objects.create(year=2030, amount=1), id="save"),
        pytest.param(lambda: Budget.objects.update(amount=7), id="queryset update"),
        pytest.param(lambda: Budget.objects.bulk_create([Budget(year=2031, amount=1)]), id="bulk_create"),
        pytest.param(lambda: Budget.objects.filter(year=2022).delete(), id="queryset delete"),
        pytest.param(
            lambda: connection.cursor().execute(f'UPDATE "{TABLE}" SET "amount" = 9'),
            id="raw SQL",
        ),
    ],
)
def test_every_kind_of_write_gives_the_table_a_new_mark(db, write):
    Budget.objects.create(year=2022, amount=Decimal("4000000.00"))
    before = mark()
    list(Budget.objects.all())
    assert mark() == before  # reading leaves it
    write()
    assert mark() != before


def test_a_kept_result_is_computed_once_until_a_table_it_read_is_written(db):
    Budget.objects.create(year=2022, amount=Decimal("4000000.00"))
    calls = []
    assert kept_total(calls) == Decimal("4000000.00")
    assert kept_total(calls) == Decimal("4000000.00")
    assert len(calls) == 1  # kept from the first call: the marks were read before it ran

    BackupRecord.objects.create(path="x.tar.gz", size=1, seconds=1, rows=1, files=0)  # another table
    assert kept_total(calls) == Decimal("4000000.00") and len(calls) == 1

    Budget.objects.filter(year=2022).update(amount=Decimal("3000000.00"))
    assert kept_total(calls) == Decimal("3000000.00") and len(calls) == 2
    assert kept_total(calls) == Decimal("3000000.00") and len(calls) == 2

    changes.forget_all()  # after a restore
    assert kept_total(calls) == Decimal("3000000.00") and len(calls) == 3


def test_a_write_while_the_result_is_computed_is_not_hidden_by_it(db):
    """The marks are read before computing: a write that lands meanwhile makes the kept value unreachable."""
    Budget.objects.create(year=2022, amount=Decimal("100.00"))
    calls = []

    def compute():
        calls.append(1)
        total = sum(Budget.objects.values_list("amount", flat=True), Decimal(0))
        if len(calls) == 1:
            Budget.objects.create(year=2023, amount=Decimal("1.00"))  # another user's commit, meanwhile
        return total

    assert changes.remember("racing", compute) == Decimal("100.00")
    assert changes.remember("racing", compute) == Decimal("101.00")
    assert changes.remember("racing", compute) == Decimal("101.00") and len(calls) == 2


def test_the_code_version_is_part_of_the_key(db, monkeypatch):
    calls = []
    kept_total(calls)
    monkeypatch.setattr(changes, "code_version", lambda: "another-release")
    kept_total(calls)
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_marks_its_tables_when_it_commits_and_not_when_it_rolls_back():
    before = mark()
    with transaction.atomic():
        Budget.objects.create(year=2040, amount=1)
        Budget.objects.bulk_create([Budget(year=2043, amount=1), Budget(year=2044, amount=1)])
        Budget.objects.update(amount=2)
        assert mark() == before  # others cannot see the rows yet: the kept results stay good
        assert len(connection.run_on_commit) == 1  # one mark-giving per transaction, however many writes
    committed = mark()
    assert committed != before

    with pytest.raises(RuntimeError), transaction.atomic():
        Budget.objects.create(year=2041, amount=1)
        raise RuntimeError
    assert mark() == committed

    records = BackupRecord._meta.db_table
    record_mark = changes.marks([records])[records]
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Budget.objects.create(year=2042, amount=1)
            raise RuntimeError
        BackupRecord.objects.create(path="x.tar.gz", size=1, seconds=1, rows=1, files=0)
        assert changes.marks([records])[records] == record_mark
    assert changes.marks([records])[records] != record_mark


def test_unquoted_raw_sql_and_truncate_are_seen(db):
    before = mark()
    connection.cursor().execute(f"UPDATE {TABLE} SET amount = 9")
    assert mark() != before
    epoch = changes.marks([])["*"]
    # TRUNCATE (flush on PostgreSQL) names many tables: everything kept is forgotten.
    changes._watch(lambda *args: None, 'TRUNCATE "a", "b"', None, False, {"connection": connection})
    assert changes.marks([])["*"] != epoch


def test_a_mark_lost_at_once_is_still_a_token_of_its_own(db, monkeypatch):
    """A mark culled between add() and get() must not come back as None, shared by every such loss."""
    cache = changes._cache()
    monkeypatch.setattr(cache, "get", lambda key, default=None, version=None: None)
    first, second = changes.marks([TABLE]), changes.marks([TABLE])
    assert None not in first.values() and first[TABLE] != second[TABLE]


def test_a_result_kept_inside_another_makes_the_outer_one_depend_on_its_tables(db):
    Budget.objects.create(year=2022, amount=Decimal("5.00"))
    inner_calls = []
    assert kept_total(inner_calls) == Decimal("5.00")  # kept now: the next call is served from the cache

    def outer():
        return ("outer", kept_total(inner_calls))

    assert changes.remember("outer", outer) == ("outer", Decimal("5.00")) and len(inner_calls) == 1
    Budget.objects.update(amount=Decimal("6.00"))
    assert changes.remember("outer", outer) == ("outer", Decimal("6.00"))


def test_a_word_after_from_that_names_no_table_does_not_stop_a_result_being_kept(db):
    """PostgreSQL's EXTRACT(YEAR FROM U0."day") reads like a table U0: only the names of tables count."""
    Budget.objects.create(year=2022, amount=Decimal("1.00"))
    calls = []

    def compute():
        calls.append(1)
        changes._watch(lambda *args: None, 'SELECT EXTRACT(YEAR FROM U0."day")', None, False, {})
        return Budget.objects.count()

    assert changes.remember("aliased", compute) == 1 and changes.remember("aliased", compute) == 1
    assert len(calls) == 1


# What a process has seen (changes._local): one look-up in the shared cache for a result seen again.


class CountingCache:
    """The kept results' cache, its look-ups counted."""

    def __init__(self, cache):
        self.cache, self.gets = cache, 0

    def __getattr__(self, name):
        if name in ("get", "get_many"):
            self.gets += 1
        return getattr(self.cache, name)


@pytest.fixture
def fresh_process(monkeypatch):
    """A process that has seen nothing yet (its own memo), its shared-cache look-ups counted."""
    monkeypatch.setattr(changes, "_local", changes._Local(changes.LOCAL_BYTES))
    counting = CountingCache(changes._cache())
    monkeypatch.setattr(changes, "_cache", lambda: counting)
    return counting


def test_a_result_seen_again_costs_one_look_up_of_the_marks(db, fresh_process):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))
    calls = []
    kept_total(calls)
    fresh_process.gets = 0
    assert kept_total(calls) == Decimal("10.00") and len(calls) == 1
    assert fresh_process.gets == 1


def test_another_process_finds_it_in_the_shared_cache_then_in_its_own(db, fresh_process, monkeypatch):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))
    calls = []
    kept_total(calls)
    monkeypatch.setattr(changes, "_local", changes._Local(changes.LOCAL_BYTES))  # another worker
    fresh_process.gets = 0
    assert kept_total(calls) == Decimal("10.00") and len(calls) == 1
    assert fresh_process.gets == 3  # which tables, their marks, the value
    fresh_process.gets = 0
    assert kept_total(calls) == Decimal("10.00") and fresh_process.gets == 1


def test_a_value_this_process_holds_is_not_served_after_a_write_elsewhere(db, fresh_process):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))
    calls = []
    kept_total(calls)
    # Another server writes: only the shared marks say so.
    changes._new_marks({Budget._meta.db_table})
    Budget.objects.filter(year=2022).update(amount=Decimal("20.00"))
    assert kept_total(calls) == Decimal("20.00") and len(calls) == 2


def test_each_caller_gets_its_own_copy(db, fresh_process):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))

    def rows():
        return [dict(year=y) for y in Budget.objects.values_list("year", flat=True)]

    first = changes.remember("rows", rows)
    first.append({"year": 1999})
    assert changes.remember("rows", rows) == [{"year": 2022}]


def test_the_least_recently_used_values_go_beyond_the_limit():
    local = changes._Local(limit=2000)  # about nine values of 200 characters
    for n in range(8):
        local.put(f"entry-{n}", "x" * 200)
    assert local.get("entry-0") is not None  # used again: the most recent now
    for n in range(8, 12):
        local.put(f"entry-{n}", "y" * 200)
    held = [n for n in range(12) if local.get(f"entry-{n}") is not None]
    assert local.size <= 2000 and 0 in held and 11 in held and 1 not in held and 2 not in held
    local.put("big", "z" * 300)  # more than an eighth of the limit: not held here at all
    assert local.get("big") is None


# Marks read once a request (changes.marks_once_a_request), as with Redis.


@pytest.fixture
def prefetching(monkeypatch, fresh_process):
    monkeypatch.setattr(changes, "_prefetch", lambda: True)
    return fresh_process


def in_a_request(call):
    return changes.marks_once_a_request(lambda request: call())(None)


def test_a_request_reads_every_mark_at_once_for_all_its_kept_results(db, prefetching):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))
    first, second = [], []
    in_a_request(
        lambda: (kept_total(first), changes.remember("backups", lambda: BackupRecord.objects.count()))
    )
    prefetching.gets = 0

    def request():
        assert kept_total(first) == Decimal("10.00")
        assert changes.remember("backups", lambda: second.append(1) or BackupRecord.objects.count()) == 0

    in_a_request(request)
    assert prefetching.gets == 1 and len(first) == 1 and not second


def test_the_requests_own_write_is_seen_by_its_later_kept_results(db, prefetching):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))
    calls = []

    def request():
        assert kept_total(calls) == Decimal("10.00")
        Budget.objects.filter(year=2022).update(amount=Decimal("30.00"))
        return kept_total(calls)

    assert in_a_request(request) == Decimal("30.00") and len(calls) == 2


def test_another_servers_write_during_a_request_is_seen_by_the_next_request(db, prefetching):
    Budget.objects.create(year=2022, amount=Decimal("10.00"))
    calls = []
    kept_total(calls)
    other_server = changes._cache()

    def request():
        first = kept_total(calls)
        # Another server commits a change: its new mark lands in the shared cache only.
        Budget.objects.filter(year=2022).update(amount=Decimal("40.00"))
        other_server.set(changes.PREFIX + Budget._meta.db_table, "another-servers-mark", timeout=None)
        changes._request_marks.get()[Budget._meta.db_table] = first_mark  # as this request read it
        return first, kept_total(calls)

    first_mark = changes.marks([Budget._meta.db_table])[Budget._meta.db_table]
    assert in_a_request(request) == (Decimal("10.00"), Decimal("10.00"))  # the request's own reading
    assert in_a_request(lambda: kept_total(calls)) == Decimal("40.00")


def test_a_value_held_by_the_process_goes_with_its_timeout():
    local = changes._Local(limit=10_000)
    local.put("soon", "x", timeout=-1)  # already past
    local.put("later", "y", timeout=60)
    local.put("always", "z")
    assert (local.get("soon"), local.get("later"), local.get("always")) == (None, "y", "z")
    for n in range(changes._Local.TABLE_KEYS + 1):
        local.read_tables(f"key-{n}", ["t"])
    assert len(local.tables) <= changes._Local.TABLE_KEYS
