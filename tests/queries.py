"""Count the queries a page or a call takes, to compare a small and a large data set.

Pinning a count on tiny data misses an N+1; the tests compare the count for a few rows with the count
for many instead (see the README's query budgets).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(call) -> int:
    """Run call() and return the number of queries it made."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def page_queries(client, path: str, data=None, **extra) -> int:
    """GET path with client and return the queries it took; the page must answer 200."""

    def get():
        response = client.get(path, data, **extra)
        if response.streaming:  # an export is only read when its content is
            b"".join(response.streaming_content)
        assert response.status_code == 200, path

    return count_queries(get)


def warm(user) -> None:
    """As after the user's first page: the user, their permissions and roles kept (core.backends), so that a
    page's query count is the same whichever request of the test it is."""
    from core import access
    from core.backends import ModelBackend

    fresh = ModelBackend().get_user(user.pk)
    fresh.get_all_permissions()
    access.roles_of(fresh)
