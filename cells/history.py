"""Who made a change, for the history kept of official records (django-simple-history).

In a request, ``simple_history``'s middleware records the signed-in user. A service also runs from tasks, commands
and the demo loader, where there is no request: each service takes the actor as ``by=`` and records it through
``records_actor``, so that every historical row says who made it, whoever called the service.
"""

import contextlib
import functools
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

_missing = object()


@contextlib.contextmanager
def acting_as(user):
    """Changes saved inside are recorded in their history as made by ``user`` (``None``: left as they are: the
    request's user, if any)."""
    if user is None:
        yield
        return
    context = HistoricalRecords.context
    previous = getattr(context, "request", _missing)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is _missing:
            del context.request
        else:
            context.request = previous


def records_actor(service):
    """For a service taking ``by=``: the history of what it saves names ``by``."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with acting_as(kwargs.get("by")):
            return service(*args, **kwargs)

    return wrapper
