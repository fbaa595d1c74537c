"""The API's resources. Each reads through the pages' access gate (``members.access``, ``meetings.access``): what is
outside the user's subtree is a 404, a write where the user only reads a 403, as on the pages. Every write goes
through the services the pages call, with the user as the actor of the history (``by=``).

Lists cost a constant number of queries a page: related rows are joined or prefetched, never read row by row."""

from django.db.models import OuterRef, Prefetch, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from api import inputs, params, recording
from api.errors import refused
from api.serializers import (
    CellMonthSerializer,
    CellSerializer,
    ComplianceSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MemberSerializer,
    OrganizationSerializer,
    PolicyInForceSerializer,
    VisitSerializer,
)
from cells.models import Organization
from cells.policies import RULE_FIELDS, format_value, policy_for, rule_label
from meetings import services
from meetings.access import (
    get_meeting_for_user,
    get_visit_for_user,
    may_read_visit_report,
    visible_meetings,
    visible_visits,
)
from meetings.models import Attendance, Visitor, VisitReport
from meetings.visits import seat_refusal, seats_that_may_visit
from members.access import (
    get_organization_for_user,
    last_home_cell,
    readable_members,
    scope_for,
    visible_organizations,
)
from members.models import StatusChange
from reports.dashboard import dashboard
from reports.findings import findings_in

# The parent's id, read in the page's own query: the node whose path is this one's less its last step.
PARENT_ID = Subquery(
    Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    ).values("pk")[:1]
)


# A path id is a 64-bit integer: anything else (letters, "²", 30 digits) is no resource, a 404.
ID_PATTERN = "[0-9]{1,18}"


def _readable_organizations(user):
    """The organizations whose roster and figures the user reads in full (not a member's own cell only)."""
    scope = scope_for(user)
    return Organization.objects.all() if scope.is_admin else Organization.objects.within(scope.read_paths)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "within", OpenApiTypes.INT, description="Only this organization and everything below it (its subtree)."
            )
        ]
    )
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organizations the user sees, in the tree's order (a parent before its children), each with its parent's
    id. One query a page, and the count."""

    lookup_value_regex = ID_PATTERN

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        organizations = visible_organizations(self.request.user).order_by("path").annotate(parent_id=PARENT_ID)
        if self.action == "list":
            top = params.organization_param(self.request, name="within")
            organizations = params.within(organizations, top, field="")
        return organizations


class CellViewSet(OrganizationViewSet):
    """The cells (chi bộ) the user sees, with their usual meeting day, time and venue."""

    serializer_class = CellSerializer

    def get_queryset(self):
        return super().get_queryset().filter(kind__in=Organization.CELL_KINDS)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            params.ORGANIZATION,
            OpenApiParameter("cell", OpenApiTypes.INT, description="Only the members of this cell today (its roster)."),
        ]
    )
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """The members whose records the user reads (those of the cells in their subtrees, and themselves), in name
    order, each with their status today, its history and their cells. Personal fields (birth date, card numbers,
    contact) only for users who may write the member's cell. Four queries a page, and the count."""

    lookup_value_regex = ID_PATTERN

    serializer_class = MemberSerializer

    def get_queryset(self):
        today = timezone.localdate()
        members = (
            readable_members(self.request.user)
            .with_status_on(today)
            .annotate(cell_id=last_home_cell(), cell_path=last_home_cell("organization__path"))
            .prefetch_related(
                Prefetch("status_changes", StatusChange.objects.order_by("effective_from", "id")),
                "memberships",
            )
            .order_by("sort_key", "id")
        )
        if self.action != "list":
            return members
        organization = params.organization_param(self.request)
        if organization is not None:
            members = members.filter(cell_path__startswith=organization.path)
        cell = params.organization_param(self.request, name="cell")
        if cell is not None:
            members = members.filter(pk__in=readable_members(self.request.user).roster_of(cell, today).values("pk"))
        return members

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_for(self.request.user)}


MEETING_ORDERING = ["planned_date", "id", "updated_at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            params.ORGANIZATION,
            params.PERIOD,
            OpenApiParameter("kind", OpenApiTypes.STR, description="regular, thematic, combined, extraordinary, …"),
            OpenApiParameter("status", OpenApiTypes.STR, description="planned, published, held, approved, cancelled."),
        ]
    )
)
class MeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings of the organizations the user sees, the newest first (``ordering``: planned_date, id, updated_at,
    each with ``-`` for descending). A list gives each meeting's header; one meeting gives its minutes (agenda,
    roll call, speeches, visitors, resolution and vote). One query a page, and the count.

    ``POST`` plans a meeting; ``POST …/record/`` records a held one, whole. Both need write access to the
    organization, and answer a refusal with the messages of the page's form."""

    lookup_value_regex = ID_PATTERN

    filter_backends = [OrderingFilter]
    ordering_fields = MEETING_ORDERING
    ordering = ["-planned_date", "-id"]

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def get_queryset(self):
        meetings = visible_meetings(self.request.user).select_related("organization")  # whose roster the user reads
        if self.action != "list":
            return meetings.prefetch_related(
                "agenda",
                Prefetch("attendances", Attendance.objects.select_related("member").order_by("member__sort_key")),
                "speeches",
                "visitors",
            )
        meetings = params.within(meetings, params.organization_param(self.request))
        period = params.period_param(self.request)
        if period is not None:
            meetings = meetings.filter(month__gte=period.first_month, month__lte=period.last_month)
        for name in ("kind", "status"):
            value = self.request.query_params.get(name, "")
            if value:
                meetings = meetings.filter(**{name: value})
        return meetings

    @extend_schema(request=inputs.MeetingPlanInput, responses={201: MeetingDetailSerializer})
    def create(self, request, *args, **kwargs):
        entry = inputs.MeetingPlanInput(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        organization = get_organization_for_user(request, data["organization"], write=True)
        planned_time = data["planned_time"] or organization.meeting_time
        if planned_time is None:
            raise ValidationError({"planned_time": [_("Nhập giờ họp: tổ chức chưa đặt giờ sinh hoạt thường lệ.")]})
        agenda = None if data["agenda"] is None else [(item["title"], item["details"]) for item in data["agenda"]]
        try:
            services.check_plan_date(data["planned_date"])
        except services.ValidationError as error:
            raise refused(error) from None
        warning = services.past_start_warning(data["planned_date"], planned_time, confirm=_("gửi “confirm_past”: true"))
        if warning and not data["confirm_past"]:
            raise ValidationError({"confirm_past": [warning]})
        try:
            meeting = services.meeting_plan(
                organization=organization,
                kind=data["kind"],
                planned_date=data["planned_date"],
                planned_time=planned_time,
                venue=data["venue"] or organization.venue,
                topic=data["topic"],
                agenda=agenda,
                by=request.user,
            )
        except services.ValidationError as error:
            raise refused(error) from None
        return Response(self._detail(meeting.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inputs.MeetingRecordInput,
        responses={
            200: MeetingDetailSerializer,
            409: OpenApiResponse(description="Saved by someone else since `version`: read the meeting again."),
        },
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the held meeting in one request and close it as held (nothing is written if anything is
        refused). Members and seats are ids; a speech names its speaker by ``member``, or a visitor by ``seat`` or
        ``visitor_name``."""
        meeting = get_meeting_for_user(request, int(pk), write=True)  # pk: ID_PATTERN
        entry = inputs.MeetingRecordInput(data=request.data)
        entry.is_valid(raise_exception=True)
        recording.record_held(meeting=meeting, data=entry.validated_data, by=request.user)
        return Response(self._detail(meeting.pk))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_for(self.request.user)}

    def _detail(self, pk: int) -> dict:
        meeting = self.get_queryset().get(pk=pk)
        return MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data


@extend_schema_view(
    list=extend_schema(
        parameters=[
            params.ORGANIZATION,
            params.PERIOD,
            OpenApiParameter("seat", OpenApiTypes.INT, description="Only the visits of this committee seat."),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the user's own visits."),
        ]
    )
)
class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Superior-committee members' visits to the meetings the user sees, the newest meeting first, each with its
    report when the user may read it (its author; once submitted, the readers of the visitor's committee).
    ``POST`` records the user's own visit; ``PUT …/report/`` saves or submits its report. Three queries a page."""

    lookup_value_regex = ID_PATTERN

    serializer_class = VisitSerializer

    def get_queryset(self):
        visits = (
            visible_visits(self.request.user)
            .select_related("meeting", "seat__organization", "seat__member", "report")
            .order_by("-meeting__planned_date", "-id")
        )
        if self.action != "list":
            return visits
        visits = params.within(visits, params.organization_param(self.request), field="meeting__organization")
        period = params.period_param(self.request)
        if period is not None:
            visits = visits.filter(meeting__month__gte=period.first_month, meeting__month__lte=period.last_month)
        seat = params.integer_param(self.request, "seat")
        if seat is not None:
            visits = visits.filter(seat_id=seat)
        if self.request.query_params.get("mine", "").lower() in ("1", "true"):
            visits = visits.filter(seat__member__user=self.request.user)
        return visits

    def _readable(self, visits):
        scope = scope_for(self.request.user)
        for visitor in visits:
            try:
                report = visitor.report
            except VisitReport.DoesNotExist:
                report = None
            readable = may_read_visit_report(self.request.user, scope, visitor, report)
            visitor.readable_report = report if readable else None
        return visits

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(self._readable(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        visitor = self.get_object()
        return Response(self.get_serializer(self._readable([visitor])[0]).data)

    @extend_schema(request=inputs.VisitInput, responses={201: VisitSerializer})
    def create(self, request, *args, **kwargs):
        entry = inputs.VisitInput(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        meeting = get_meeting_for_user(request, data["meeting"])
        seats = seats_that_may_visit(meeting, user=request.user)
        if data["seat"] is not None:
            seats = [seat for seat in seats if seat.pk == data["seat"]]
        if len(seats) != 1:
            raise ValidationError({"seat": [seat_refusal(several=bool(seats))]})
        try:
            visitor = services.visit_record(meeting=meeting, seat=seats[0], by=request.user)
        except services.ValidationError as error:
            raise refused(error) from None
        return Response(self._one(visitor.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inputs.VisitReportInput,
        responses={
            200: VisitSerializer,
            409: OpenApiResponse(description="Saved elsewhere since `version`: read the visit again."),
        },
    )
    @action(detail=True, methods=["put"])
    def report(self, request, pk=None):
        """Save the report of the user's own visit as a draft, or submit it (``submit``)."""
        visitor = get_visit_for_user(request, int(pk), write=True)
        entry = inputs.VisitReportInput(data=request.data)
        entry.is_valid(raise_exception=True)
        data = dict(entry.validated_data)
        submit, version, reason = data.pop("submit"), data.pop("version"), data.pop("correction_reason")
        try:
            services.visit_report_save(
                visitor=visitor,
                values=data,
                submit=submit,
                version=version,
                correction_reason=reason,
                by=request.user,
            )
        except services.StaleEdit as error:
            raise recording.Conflict(" ".join(error.messages)) from None
        except services.ValidationError as error:
            raise refused(error) from None
        return Response(self._one(visitor.pk))

    def _one(self, pk: int) -> dict:
        """The visit as written, read again (with its report) whether or not the user still sees its meeting."""
        visitor = Visitor.objects.select_related("meeting", "seat__organization", "seat__member", "report").get(pk=pk)
        return self.get_serializer(self._readable([visitor])[0]).data


class PolicyInForceView(APIView):
    """The rules in force for an organization on a day: each value, and the policy and legal source it comes from
    (the nearest committee's policy, else the regulation's default)."""

    @extend_schema(
        parameters=[params.THE_ORGANIZATION, params.DATE],
        responses=PolicyInForceSerializer,
        description="`organization` is required.",
    )
    def get(self, request):
        organization = params.organization_param(request, required=True)
        day = params.date_param(request, default=timezone.localdate())
        resolved = policy_for(organization, day)
        rules = [
            {
                "name": name,
                "label": rule_label(name),
                "value": resolved.values[name],
                "display": format_value(name, resolved.values[name]),
                "source": resolved.sources[name],
            }
            for name in RULE_FIELDS
        ]
        data = {"organization": organization.pk, "date": day, "rules": rules}
        return Response(PolicyInForceSerializer(data).data)


class ComplianceView(APIView):
    """The compliance dashboard's figures for an organization over a period: the headline, and the same figures for
    each organization directly below it."""

    @extend_schema(
        parameters=[
            params.THE_ORGANIZATION,
            params.THE_PERIOD,
            OpenApiParameter("cell_type", OpenApiTypes.STR, description="Only cells of this type."),
        ],
        responses=ComplianceSerializer,
        description="`organization` and `period` are required.",
    )
    def get(self, request):
        organization = params.organization_param(request, required=True, readable=_readable_organizations(request.user))
        period = params.period_param(request, required=True)
        data = dashboard(organization, period, request.query_params.get("cell_type", ""))
        return Response(ComplianceSerializer(data).data)


@extend_schema(
    parameters=[
        params.THE_ORGANIZATION,
        params.THE_PERIOD,
        OpenApiParameter("cell_type", OpenApiTypes.STR, description="Only cells of this type."),
        OpenApiParameter("failing", OpenApiTypes.BOOL, description="Only the cell-months failing a rule."),
    ],
    description="The findings of every cell of an organization's subtree, month by month, rule by rule. "
    "`organization` and `period` are required. Two queries a page.",
)
class FindingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The compliance findings of the cells below an organization over a period, cell by cell and month by month."""

    serializer_class = CellMonthSerializer

    def get_queryset(self):
        organization = params.organization_param(
            self.request, required=True, readable=_readable_organizations(self.request.user)
        )
        period = params.period_param(self.request, required=True)
        rows = findings_in(organization, period.months, self.request.query_params.get("cell_type", ""))
        if self.request.query_params.get("failing", "").lower() in ("1", "true"):
            rows = rows.filter(all_ok=False)
        return rows.select_related("cell").order_by("path", "month")
