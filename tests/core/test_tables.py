"""django-tables2 reads a render method's arguments once per code object (core.tables)."""

import functools

from django_tables2 import utils as tables_utils

from core import tables


class Column:
    def render(self, value, record):
        return value

    def render_everything(self, **kwargs):
        return kwargs


def plain(value, *args, table=None):
    return value


def decorated(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


class Callable:
    def __call__(self, bound_row):
        return bound_row


def test_django_tables2_reads_signatures_through_the_cache():
    assert tables_utils.signature is tables._cell_signature


def test_cached_signatures_match_the_library_for_every_kind_of_callable():
    callables = [
        Column().render,
        Column().render_everything,
        Column.render,
        plain,
        decorated(plain),
        Callable(),
        lambda record: record,
    ]
    for fn in callables:
        assert tables._cell_signature(fn) == tables._library_signature(fn)
        assert tables._cell_signature(fn) == tables._library_signature(fn)  # from the cache


def test_one_entry_per_code_object_not_per_bound_method_or_lambda():
    before = len(tables._signatures)
    for _ in range(5):
        tables._cell_signature(Column().render)
        tables._cell_signature(lambda value: value)
    assert len(tables._signatures) - before <= 2
