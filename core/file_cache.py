"""The embedded default's cache: Django's file cache, without listing its directory on every write.

Django's FileBasedCache decides whether to cull by listing its whole directory in each set(): with the
thousands of entries the kept results (core.changes) hold, a page that recomputed a few of them after a
write spent milliseconds a set listing files (pages of the SQLite benchmarks at twice their time once the
directory had filled). Here the directory is listed every CULL_CHECK_EVERY writes of a process: the cache
may pass MAX_ENTRIES by that many entries a process before it is culled, as Django's would.
"""

from django.core.cache.backends.filebased import FileBasedCache

CULL_CHECK_EVERY = 50


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = 0

    def _cull(self):
        self._writes += 1
        if (self._writes - 1) % CULL_CHECK_EVERY == 0:  # the first write, then every CULL_CHECK_EVERY
            super()._cull()
