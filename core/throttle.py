"""Login throttling by django-axes with two limits: a username from an address, and an address whatever the
usernames (password spraying: one password tried against many names).

Axes counts failures for each of AXES_LOCKOUT_PARAMETERS (here the username-and-address pair, and the
address alone), takes the largest count and compares it with ONE limit. The address should be allowed
more (several staff behind one office router mistype too), so failure_limit answers the limit that
applies to the request at hand, and the handler keeps the address count when one user logs in.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _pair_attempts(request, credentials):
    """The live failure records of this username from this address."""
    attempts = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=request.axes_ip_address
    )
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: the per-user limit once this username has reached it from this address, else
    the address limit.

    Axes compares max(pair failures, address failures) with the answer, and the address count is never
    below the pair's, so a request is locked exactly when the pair has LOGIN_FAILURES_PER_USER failures or
    the address has LOGIN_FAILURES_PER_ADDRESS under any names.
    """
    per_user = settings.LOGIN_FAILURES_PER_USER
    pair = _pair_attempts(request, credentials).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return per_user if pair >= per_user else settings.LOGIN_FAILURES_PER_ADDRESS


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a successful login forgets only that user's own failures.

    Axes would delete every record matching any lockout parameter, the address's failures under other
    names included: whoever sprays passwords could then reset the address count by logging in to an
    account of their own every few tries."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        count, _ = _pair_attempts(request, credentials).delete()
        return count
