"""Meetings through the one access gate (``members.access``): a meeting is visible with its organization; a visit's
report with its author and the board of the visitor's committee."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest

from cells.models import Organization
from meetings.models import Meeting, Visitor, VisitReport
from members.access import Scope, scope_for


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


def is_visit_author(user, visitor: Visitor) -> bool:
    """The visitor themselves: the account of the member holding the visit's seat."""
    return bool(
        user.is_authenticated and visitor.seat_id and visitor.seat.member_id and visitor.seat.member.user_id == user.pk
    )


def may_read_visit_report(user, scope: Scope, visitor: Visitor, report: VisitReport | None) -> bool:
    """The author reads their report, draft or submitted; a submitted report also reaches those who read the
    committee the visitor sits on (the board that made the assignment). ``visitor.seat`` with its ``organization``
    and ``member`` loaded: no query."""
    if not visitor.seat_id:
        return False
    if is_visit_author(user, visitor):
        return True
    return report is not None and report.is_submitted and scope.can_read(visitor.seat.organization)


def get_visit_for_user(request: HttpRequest, visitor_pk: int, *, write: bool = False) -> Visitor:
    """A visit whose report the user may read (``may_read_visit_report``), else 404: a draft is its author's alone;
    writing the report is for its author, a reader gets 403. The visit comes with its meeting, seat and report
    (``visitor.report_or_none``)."""
    visitor = (
        Visitor.objects.select_related(
            "meeting__organization", "seat__organization", "seat__member", "report__submitted_by"
        )
        .filter(pk=visitor_pk)
        .first()
    )
    if visitor is None:
        raise Http404
    try:
        report = visitor.report
    except VisitReport.DoesNotExist:
        report = None
    if not may_read_visit_report(request.user, scope_for(request.user), visitor, report):
        raise Http404
    if write and not is_visit_author(request.user, visitor):
        raise PermissionDenied
    visitor.report_or_none = report
    return visitor


def visible_meetings(user):
    """The meetings whose organization the user sees (``get_meeting_for_user``'s rule as a queryset)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Meeting.objects.all()
    return Meeting.objects.filter(organization__in=Organization.objects.within(scope.visible_paths))


def visible_visits(user):
    """Superior-committee visits (visitors holding a seat) of the meetings the user sees, and the user's own visits
    (whose report they keep writing after their seat, and with it their view of the cell, has ended). Their reports
    are read through ``may_read_visit_report``."""
    mine = Q(seat__member__user=user) if user.is_authenticated else Q(pk__in=[])
    return Visitor.objects.filter(Q(meeting__in=visible_meetings(user)) | mine, seat__isnull=False)
