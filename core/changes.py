"""Change marks: a result kept until one of the tables it was computed from is written.

Every statement the app sends through Django passes `_watch` (installed on each new connection): a statement
that writes a table (INSERT, UPDATE, DELETE; the ORM, `bulk_create`, `QuerySet.update` and raw SQL alike)
gives that table a new mark in the shared cache once its transaction commits, and a statement run inside
`remember()`'s computation adds the tables it reads (FROM/JOIN) to what the result depends on.

`remember(key, compute)` keeps compute()'s value under the marks its tables had *before* it ran, so a write
committed while it ran makes the kept value unreachable, never wrong. A mark is a random token, not a
counter: a mark lost from the cache gets a new token and nothing kept under the old one is found again.
Writes made outside this code (a restore, psql) are followed by `forget_all()` (the restore command) or a
cache clear.
"""

import contextvars
import functools
import hashlib
import logging
import pickle
import re
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection

logger = logging.getLogger(__name__)

WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# TRUNCATE (`flush` on PostgreSQL) names many tables at once: every kept result is forgotten.
TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)
READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
# Written on nearly every request and read by no kept result.
UNWATCHED = frozenset({"django_session"})
PREFIX = "change-mark:"
EPOCH = PREFIX + "*"  # a mark of every table at once: forget_all() replaces it

_reading: contextvars.ContextVar[set | None] = contextvars.ContextVar("change_marks_reading", default=None)
# The marks read so far in this request (marks_once_a_request); None outside a request.
_request_marks: contextvars.ContextVar[dict | None] = contextvars.ContextVar("request_marks", default=None)


def marks_once_a_request(get_response):
    """Middleware: the marks a request reads are read once (see marks())."""

    def middleware(request):
        token = _request_marks.set({})
        try:
            return get_response(request)
        finally:
            _request_marks.reset(token)

    return middleware


def _prefetch() -> bool:
    """Whether a request reads every table's mark at its first kept result: with a cache over the network,
    where a round trip costs far more than the keys it carries (a file cache reads a file a key)."""
    from django.core.cache.backends.filebased import FileBasedCache
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(_cache(), FileBasedCache | LocMemCache)


def _cache():
    """The cache of kept results and marks: an alias of its own ("kept") when configured, so that their many
    entries never push out what the default cache holds (job heartbeats, parsed uploads, PDFs)."""
    return caches["kept"] if "kept" in settings.CACHES else caches["default"]


def watch(sender, connection, **kwargs) -> None:
    """connection_created: pass every statement of the new connection through _watch. First in the list:
    `connection.execute_wrapper()` blocks remove the last wrapper when they end."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    reading = _reading.get()
    if reading is not None:
        reading.update(READ.findall(sql))
    writes = WRITE.match(sql)
    if writes and writes.group(1) not in UNWATCHED:
        written(context["connection"], writes.group(1))
    elif TRUNCATE.match(sql):
        written(context["connection"], "*")
    return result


def written(connection, table: str) -> None:
    """Mark table written: at once in autocommit, else once the transaction commits. Called by _watch for the
    statements it sees, and by code writing in a way no execute wrapper sees (core.bulk's COPY)."""
    blocks = connection.atomic_blocks
    if not connection.in_atomic_block or blocks[0]._from_testcase:
        # Committed already (autocommit), or a test's transaction, which is never committed and whose
        # writes the same connection reads at once.
        _new_marks({table})
        return
    # Marked once the transaction commits; a rollback drops the callback and with it the tables.
    pending = getattr(connection, "_change_marks_pending", None)
    if pending is None or not any(entry[1] is pending for entry in connection.run_on_commit):
        pending = _Pending()
        connection._change_marks_pending = pending
        # Robust: a cache that fails here must not turn a committed save into an error page.
        connection.on_commit(pending, robust=True)
    pending.tables.add(table)


class _Pending:
    """The tables a transaction wrote, marked when it commits (registered once per transaction)."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self) -> None:
        _new_marks(self.tables)


def _new_marks(tables) -> None:
    try:
        new = {table: uuid.uuid4().hex for table in tables}
        _cache().set_many({PREFIX + table: token for table, token in new.items()}, timeout=None)
        seen = _request_marks.get()
        if seen:  # this request's own reading of the marks follows its writes
            seen.update(new)
    except Exception:
        # The cache is down, and what it keeps cannot be served either; the write itself has been committed
        # and stands. Logged as an error: were the cache to come back with its old entries, clear it.
        logger.exception("could not give tables %s new change marks", sorted(tables))


def forget_all() -> None:
    """Make every kept result unreachable: after writes this module did not see (a restore)."""
    _new_marks({"*"})


@functools.cache
def _all_tables() -> tuple[str, ...]:
    from django.apps import apps

    return tuple(sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)}))


def marks(tables) -> dict[str, str]:
    """The current mark of each table and of all tables ("*"), giving one without a mark a new mark.

    Within a request (marks_once_a_request) and with a cache over the network, the first call reads the
    marks of every table at once and the later ones take theirs from that reading: one round trip to Redis
    a request, not one per kept result (the user, their permissions, their roles, a filter bar's options,
    a list's table). The request's own writes update that reading; another server's writes during the
    request are seen by the next request, as if this one had read a moment earlier."""
    seen = _request_marks.get()
    if seen is None:
        return _read_marks(tables)
    if not seen:
        seen.update(_read_marks(_all_tables() if _prefetch() else tables))
    missing = [t for t in tables if t not in seen]
    if missing:
        seen.update(_read_marks(missing))
    return {t: seen[t] for t in ["*", *tables]}


def _read_marks(tables) -> dict[str, str]:
    cache = _cache()
    keys = [EPOCH, *(PREFIX + t for t in tables)]
    found = cache.get_many(keys)
    for key in keys:
        if found.get(key) is None:
            token = uuid.uuid4().hex
            cache.add(key, token, timeout=None)
            # Another process may have added its own first; if the entry is gone again at once (a cull),
            # our token still names no kept result but ours.
            found[key] = cache.get(key) or token
    return {key.removeprefix(PREFIX): found[key] for key in keys}


@contextmanager
def reading():
    """The set of tables the statements inside read."""
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        yield tables
    finally:
        _reading.reset(token)
        outer = _reading.get()
        if outer is not None:  # a result computed inside another's computation: the outer one read them too
            outer.update(tables)


@functools.cache
def code_version() -> str:
    """What identifies this process's code and templates: a new release computes its results anew."""
    from django.apps import apps

    root = Path(settings.BASE_DIR)
    # The project's own apps: folders at its top (a virtualenv inside the checkout holds the others).
    folders = [Path(a.path) for a in apps.get_app_configs() if Path(a.path).parent == root]
    folders += [
        root / "wangcheng",
        *map(Path, settings.TEMPLATES[0]["DIRS"]),
        *map(Path, settings.LOCALE_PATHS),
    ]
    digest = hashlib.sha256()
    for path in sorted({p for folder in folders for p in folder.glob("**/*")}):
        if path.suffix in {".py", ".html", ".txt", ".mo"}:
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()[:16]


def _entry(key: str, found: dict[str, str]) -> str:
    return f"{key}:{hashlib.sha256(repr(sorted(found.items())).encode()).hexdigest()[:32]}"


class _Local:
    """What this process has seen of the kept results, so that a result seen again costs one look-up in the
    shared cache (the marks of its tables) rather than three: which tables a key reads, and the values
    themselves under their entry keys (which name the marks they were computed under, so a value found
    here is never stale), as pickled bytes, so that each caller gets its own copy as from the cache, the
    least recently used dropped beyond LOCAL_BYTES, and each for no longer than its timeout in the cache."""

    TABLE_KEYS = 20_000  # which tables each key reads: forgotten all at once beyond this many keys

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.tables: dict[str, list[str]] = {}
        self.values: OrderedDict[str, tuple[float | None, bytes]] = OrderedDict()
        self.lock = threading.Lock()  # the web process's job threads share it (core.jobs without a broker)

    def get(self, entry: str):
        with self.lock:
            held = self.values.get(entry)
            if held is None:
                return None
            expires, data = held
            if expires is not None and expires < time.monotonic():
                del self.values[entry]
                self.size -= len(data)
                return None
            self.values.move_to_end(entry)
        return pickle.loads(data)

    def put(self, entry: str, value, timeout: int | None = None) -> None:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        if len(data) > self.limit // 8:
            return
        expires = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            if entry in self.values:
                return
            self.values[entry] = (expires, data)
            self.size += len(data)
            while self.size > self.limit:
                _old, (_expires, dropped) = self.values.popitem(last=False)
                self.size -= len(dropped)

    def read_tables(self, key: str, tables: list[str]) -> None:
        if len(self.tables) >= self.TABLE_KEYS:
            self.tables.clear()
        self.tables[key] = tables


LOCAL_BYTES = 16 * 1024 * 1024
_local = _Local(LOCAL_BYTES)


def remember(key: str, compute, *, timeout: int | None = 7 * 24 * 3600):
    """compute()'s value, computed again only when a table it read has been written since (or the code
    changed). The marks are read before compute() runs: of the tables it read last time, or of every table
    the first time. Only reads on the default database are watched."""
    blocks = connection.atomic_blocks
    if blocks and not blocks[0]._from_testcase:
        # Inside a transaction the reads may include its own uncommitted writes (or, on SQLite, an older
        # snapshot): nothing read there is kept for others.
        return compute()
    cache = _cache()
    key = f"kept:{code_version()}:{key}"
    tables = _local.tables.get(key)
    if tables is None:
        tables = cache.get(key + ":tables")
    before = marks(tables if tables is not None else _all_tables())
    if tables is not None:
        entry = _entry(key, before)
        value = _local.get(entry)
        if value is None:
            value = cache.get(entry)
            if value is not None:
                _local.read_tables(key, tables)
                _local.put(entry, value, timeout)
        if value is not None:
            outer = _reading.get()
            if outer is not None:  # kept inside another computation: that one depends on these tables too
                outer.update(tables)
            return value
    with reading() as read:
        value = compute()
    # Only the names of tables count: an unquoted word after FROM may be an alias (EXTRACT(YEAR FROM U0.…)).
    read = (read & set(_all_tables())) - UNWATCHED
    # A computation that read no table here (its rows fetched before it) is not kept: nothing would say
    # when it changed.
    if read and read <= before.keys():
        needed = sorted(read)
        entry = _entry(key, {t: before[t] for t in ["*", *needed]})
        cache.set(key + ":tables", needed, timeout=timeout)
        cache.set(entry, value, timeout=timeout)
        _local.read_tables(key, needed)
        _local.put(entry, value, timeout)
    elif read:  # it read a table it did not read before: kept from the next time on
        cache.set(key + ":tables", sorted(read | set(tables or ())), timeout=timeout)
        _local.tables.pop(key, None)
    return value


def kept_html(template_name: str, key: str, context) -> str | None:
    """A fragment of a page, template_name rendered with context() (None: nothing to show, not kept), kept
    by remember() until a table its context was read from is written. key names whatever else decides the
    fragment (the user's scope, the query); the language and the day (what is in service today) are added
    here. Rendered without the request: a fragment served to others holds no user's token or messages."""
    from django.template.loader import render_to_string
    from django.utils import timezone, translation
    from django.utils.safestring import mark_safe

    def render():
        values = context()
        return None if values is None else render_to_string(template_name, values)

    scope = f"html:{template_name}:{translation.get_language()}:{timezone.localdate()}:{key}"
    html = remember(scope, render)
    return None if html is None else mark_safe(html)
