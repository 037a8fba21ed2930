"""The embedded default's file cache (core.file_cache): Django's, listing its directory every so many writes."""

from core import file_cache
from core.file_cache import CULL_CHECK_EVERY, FileCache


def test_the_directory_is_listed_every_so_many_writes_and_the_cache_stays_bounded(tmp_path, monkeypatch):
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 200, "CULL_FREQUENCY": 3}})
    listings = []
    listed = FileCache._list_cache_files
    monkeypatch.setattr(FileCache, "_list_cache_files", lambda self: listings.append(1) or listed(self))
    writes = 8 * CULL_CHECK_EVERY
    for n in range(writes):
        cache.set(f"key-{n}", n)
        # Never more than MAX_ENTRIES and the writes since the last look (this one among them).
        assert len(list(tmp_path.glob("*.djcache"))) <= 200 + CULL_CHECK_EVERY + 1
    assert len(listings) == writes // CULL_CHECK_EVERY
    assert cache.get(f"key-{writes - 1}") == writes - 1  # the last written is there


def test_every_write_looks_when_asked_to(tmp_path, monkeypatch):
    monkeypatch.setattr(file_cache, "CULL_CHECK_EVERY", 1)
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 5, "CULL_FREQUENCY": 2}})
    for n in range(30):
        cache.set(f"key-{n}", n)
        assert len(list(tmp_path.glob("*.djcache"))) <= 5 + 1
