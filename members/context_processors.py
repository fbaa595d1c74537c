"""What every page's navigation needs to know about the user, computed only when a template reads it."""

from django.http import HttpRequest

from members.access import holds_seat


def committee(request: HttpRequest) -> dict:
    """``holds_seat``: a callable, so a template that never reads it (or an anonymous page) costs no query."""
    return {"holds_seat": lambda: holds_seat(request)}
