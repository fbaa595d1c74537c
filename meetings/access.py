"""Meetings through the one access gate (``members.access``): a meeting is visible with its organization."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from meetings.models import Meeting
from members.access import scope_for


def get_meeting_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Meeting:
    """The meeting if the user sees its organization (members see their own cell's meetings), else 404; writing
    needs write access to the organization, else 403."""
    meeting = Meeting.objects.select_related("organization", "chair", "recorder").filter(pk=pk).first()
    scope = scope_for(request.user)
    if meeting is None or not scope.can_see(meeting.organization):
        raise Http404
    if write and not scope.can_write(meeting.organization):
        raise PermissionDenied
    return meeting
