"""Meetings of Party organizations: the plan, the agenda, attendance, speeches, the vote, the minutes, and mail."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cells.models import Organization
from members.models import CommitteeSeat, Member


def new_calendar_uid() -> str:
    """A calendar UID for a new meeting: a UUID, as RFC 7986 (5.3) advises, naming no host that could change."""
    return str(uuid.uuid4())


class Meeting(models.Model):
    """A meeting held by an organization (a cell in most cases). Its minutes are an official document: once
    approved they change only through a correction with a reason, kept in ``history``.

    Each kind of organization holds its own kinds of meeting (``kinds_for``): a cell its monthly, thematic, combined
    and extraordinary meetings, measured by the cell rules (``meetings.rules``, ``reports.compliance``); a committee
    (đảng bộ) the conferences of its executive and standing committees and its own conferences, which no cell rule
    measures; a party group (tổ đảng, inside a cell) its own meetings."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Sinh hoạt định kỳ")
        THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
        COMBINED = "combined", _("Sinh hoạt định kỳ kết hợp chuyên đề")
        EXTRAORDINARY = "extraordinary", _("Sinh hoạt bất thường")
        EXECUTIVE = "executive", _("Hội nghị Ban Chấp hành")
        STANDING = "standing", _("Hội nghị Ban Thường vụ")
        CONFERENCE = "conference", _("Hội nghị đảng bộ")
        PARTY_GROUP = "party_group", _("Sinh hoạt tổ đảng")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Đang chuẩn bị")
        PUBLISHED = "published", _("Đã gửi thông báo")
        HELD = "held", _("Đã họp, chờ duyệt biên bản")
        APPROVED = "approved", _("Biên bản đã duyệt")
        CANCELLED = "cancelled", _("Đã hủy")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Tốt")
        GOOD = "good", _("Khá")
        AVERAGE = "average", _("Trung bình")
        POOR = "poor", _("Kém")

    # Kinds that count as the month's regular meeting (one per cell per month).
    REGULAR_KINDS = (Kind.REGULAR, Kind.COMBINED)
    # The meetings of a cell (the cell rules measure them), of a committee, of a party group.
    CELL_KINDS = (Kind.REGULAR, Kind.THEMATIC, Kind.COMBINED, Kind.EXTRAORDINARY)
    COMMITTEE_KINDS = (Kind.EXECUTIVE, Kind.STANDING, Kind.CONFERENCE)
    PARTY_GROUP_KINDS = (Kind.PARTY_GROUP,)
    # Kinds named by their topic: a thematic meeting, a committee's conference (its subject).
    TOPIC_KINDS = (Kind.THEMATIC, Kind.CONFERENCE)

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("tổ chức")
    )
    kind = models.CharField(_("loại buổi sinh hoạt"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    topic = models.CharField(_("chuyên đề"), max_length=300, blank=True)
    planned_date = models.DateField(_("ngày họp"))
    month = models.DateField(_("tháng"), editable=False, help_text=_("Ngày đầu tháng của ngày họp."))
    planned_time = models.TimeField(_("giờ bắt đầu dự kiến"))
    venue = models.CharField(_("địa điểm"), max_length=200)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)

    chair = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chủ trì")
    )
    recorder = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("thư ký")
    )
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    long_meeting_confirmed = models.BooleanField(_("xác nhận buổi họp dài bất thường"), default=False)

    resolution_title = models.CharField(_("tên nghị quyết / kết luận"), max_length=300, blank=True)
    # The longest texts (in characters) are set here, once: far above any real minutes (a resolution of ten pages is
    # ~25,000), low enough that the minutes' PDF renders in a second or two (a 1 MB resolution took 13.5 s). The
    # services check them (meetings.services.check_lengths), the forms' inputs carry them as maxlength.
    resolution_text = models.TextField(_("nội dung nghị quyết / kết luận"), max_length=30_000, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("tán thành"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("không tán thành"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("không biểu quyết"), null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField(_("điểm tự đánh giá"), null=True, blank=True)
    quality_grade = models.CharField(_("xếp loại"), max_length=20, choices=Grade.choices, blank=True)

    # Numbered at approval from 01 in the organization's numbering period (``cells.numbering``: the committee's term
    # by default), minutes and resolutions each in their own sequence; ``numbered_from`` is that period's first day.
    number = models.PositiveIntegerField(_("số biên bản"), null=True, blank=True)
    resolution_number = models.PositiveIntegerField(_("số nghị quyết"), null=True, blank=True)
    numbered_from = models.DateField(_("đánh số từ ngày"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("gửi thông báo lúc"), null=True, blank=True)
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    correction_count = models.PositiveSmallIntegerField(_("số lần đính chính"), default=0)
    sequence = models.PositiveIntegerField(_("lần cập nhật lịch"), default=0, help_text=_("SEQUENCE của lịch .ics."))
    # Given once and never changed: every invite, update and cancellation of the meeting carries it, so that members'
    # calendars replace the event they already have. Not derived from the site's address, which may change.
    calendar_uid = models.CharField(
        _("mã lịch (UID)"),
        max_length=255,
        unique=True,
        default=new_calendar_uid,
        editable=False,
        help_text=_("UID của lịch .ics, không đổi suốt đời buổi sinh hoạt."),
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1, help_text=_("Chống ghi đè khi hai người sửa."))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    # The calendar UID never changes: nothing to keep a history of.
    history = HistoricalRecords(excluded_fields=["updated_at", "calendar_uid"])

    class Meta:
        verbose_name = _("buổi sinh hoạt")
        verbose_name_plural = _("buổi sinh hoạt")
        ordering = ["-planned_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"],
                condition=Q(kind__in=["regular", "combined"]) & ~Q(status="cancelled"),
                name="%(app_label)s_%(class)s_one_regular_per_month",
                violation_error_message=_("Chi bộ đã có buổi sinh hoạt định kỳ trong tháng này."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="%(app_label)s_%(class)s_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(quality_score__isnull=True) | Q(quality_score__lte=100),
                name="%(app_label)s_%(class)s_score_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(kind="thematic") | ~Q(topic=""), name="%(app_label)s_%(class)s_thematic_has_topic"
            ),
            models.CheckConstraint(
                condition=~Q(kind="conference") | ~Q(topic=""), name="%(app_label)s_%(class)s_conference_has_topic"
            ),
            # Two approvals at once never print one number twice (``services._assign_numbers`` locks the
            # organization; these catch any other writer).
            models.UniqueConstraint(
                fields=["organization", "numbered_from", "number"],
                condition=Q(number__isnull=False),
                name="%(app_label)s_%(class)s_one_minutes_number",
            ),
            models.UniqueConstraint(
                fields=["organization", "numbered_from", "resolution_number"],
                condition=Q(resolution_number__isnull=False),
                name="%(app_label)s_%(class)s_one_resolution_number",
            ),
        ]
        indexes = [
            # A cell's meeting list by month, and the compliance sweep over a period.
            models.Index(fields=["organization", "month"], name="meetings_org_month_idx"),
            # The reminder sweeper: published meetings coming up.
            models.Index(fields=["status", "planned_date"], name="meetings_status_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.organization} {self.planned_date:%d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        self.month = self.planned_date.replace(day=1)
        if kwargs.get("update_fields") is not None and "planned_date" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "month"}
        super().save(*args, **kwargs)

    @classmethod
    def kinds_for(cls, organization: Organization) -> tuple[str, ...]:
        """The kinds of meeting ``organization`` holds: the cell kinds for a cell, a party group's own, and a
        committee's (any other node: a commune, ward, province, bloc or grassroots committee)."""
        if organization.is_cell:
            return cls.CELL_KINDS
        if organization.kind == Organization.Kind.PARTY_GROUP:
            return cls.PARTY_GROUP_KINDS
        return cls.COMMITTEE_KINDS

    @property
    def is_cell_meeting(self) -> bool:
        """A meeting of a cell's kind, which the cell rules measure (length, speakers, the agenda and the minutes in
        time). A committee's or party group's own meetings are measured only by the Statute's vote rules."""
        return self.kind in self.CELL_KINDS

    @property
    def is_conference(self) -> bool:
        """A committee's conference (of its executive or standing committee, or of the đảng bộ)."""
        return self.kind in self.COMMITTEE_KINDS

    @property
    def length_minutes(self) -> int | None:
        if self.started_at and self.ended_at:
            return int((self.ended_at - self.started_at).total_seconds() // 60)
        return None

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def planned_start(self) -> datetime.datetime:
        from django.utils import timezone

        return timezone.make_aware(datetime.datetime.combine(self.planned_date, self.planned_time))


class AgendaItem(models.Model):
    """One item of the order of business, with the chair's conclusion on it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("buổi họp"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nội dung"), max_length=300)
    details = models.TextField(_("chi tiết"), max_length=2_000, blank=True)
    conclusion = models.TextField(_("kết luận của chủ trì"), max_length=10_000, blank=True)

    # Minutes are an official document: every change to their parts is kept (who, when, what).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mục chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="%(app_label)s_%(class)s_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Attendance(models.Model):
    """Roll call of one member at one meeting, with the member's status on that day frozen."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        EXCUSED = "excused", _("Vắng có lý do")
        ABSENT = "absent", _("Vắng không lý do")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("buổi họp")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("đảng viên")
    )
    status = models.CharField(_("điểm danh"), max_length=10, choices=Status.choices, blank=True)
    reason = models.CharField(_("lý do vắng"), max_length=200, blank=True)
    # The cell committee's explicit decision, never a default: an excused absence not accepted stays counted.
    absence_accepted = models.BooleanField(
        _("chi ủy chấp nhận lý do vắng"),
        default=False,
        help_text=_("Vắng có lý do được chi ủy chấp nhận thì không tính vào số đảng viên được biểu quyết."),
    )
    member_status = models.CharField(_("tình trạng đảng viên ngày họp"), max_length=20)
    is_guest = models.BooleanField(_("đến sinh hoạt tạm thời"), default=False)

    # Minutes are an official document: every change to their parts is kept (who, when, what).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="%(app_label)s_%(class)s_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class AbsenceNotice(models.Model):
    """A member says ahead that they will be absent; the secretary sees it as a proposed excused absence."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="absence_notices", verbose_name=_("buổi họp")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("đảng viên"))
    reason = models.CharField(_("lý do"), max_length=200)
    created_at = models.DateTimeField(_("báo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("báo vắng trước")
        verbose_name_plural = _("báo vắng trước")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="%(app_label)s_%(class)s_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.reason}"


class Visitor(models.Model):
    """A guest or superior-committee visitor (dự sinh hoạt): linked to a committee seat, or by name and title."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="visitors", verbose_name=_("buổi họp"))
    seat = models.ForeignKey(
        CommitteeSeat,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("cấp ủy viên cấp trên"),
    )
    name = models.CharField(_("họ tên"), max_length=120)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    is_superior = models.BooleanField(_("đại biểu cấp trên"), default=True)
    # What the seat was on the meeting's day, kept with the visit (a visit is judged by the rank held then): the rank
    # and the kind of the committee the seat sits on. Empty for a visitor with no seat, whose visit counts for no quota.
    rank = models.CharField(_("cấp bậc khi dự"), max_length=20, choices=CommitteeSeat.Rank.choices, blank=True)
    committee_kind = models.CharField(_("cấp ủy của cấp"), max_length=30, choices=Organization.Kind.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi"),
    )

    # Minutes are an official document: every change to their parts is kept (who, when, what).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đại biểu dự")
        verbose_name_plural = _("đại biểu dự")
        constraints = [
            # A seat visits a meeting once; its rank and committee are kept with it.
            models.UniqueConstraint(
                fields=["meeting", "seat"],
                condition=Q(seat__isnull=False),
                name="%(app_label)s_%(class)s_one_visit_per_seat",
                violation_error_message=_("Cấp ủy viên này đã có trong danh sách đại biểu của buổi họp."),
            ),
            models.CheckConstraint(
                condition=Q(seat__isnull=True, rank="", committee_kind="")
                | (Q(seat__isnull=False) & ~Q(rank="") & ~Q(committee_kind="")),
                name="%(app_label)s_%(class)s_rank_with_seat",
            ),
        ]
        indexes = [models.Index(fields=["seat", "meeting"], name="meetings_visitor_seat_idx")]

    def __str__(self) -> str:
        return self.name


class Speech(models.Model):
    """A speech (ý kiến phát biểu): by a present member or a visitor, on an agenda item, summarised."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speeches", verbose_name=_("buổi họp"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="speeches", verbose_name=_("đảng viên")
    )
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, null=True, blank=True, related_name="speeches", verbose_name=_("đại biểu")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speeches",
        verbose_name=_("mục chương trình"),
    )
    summary = models.TextField(_("tóm tắt ý kiến"), max_length=5_000)

    # Minutes are an official document: every change to their parts is kept (who, when, what).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ý kiến phát biểu")
        verbose_name_plural = _("ý kiến phát biểu")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, visitor__isnull=True) | Q(member__isnull=True, visitor__isnull=False),
                name="%(app_label)s_%(class)s_one_speaker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.visitor}: {self.summary[:40]}"


def material_path(instance: "Material", filename: str) -> str:
    return f"meetings/{instance.meeting_id}/{filename}"


class Material(models.Model):
    """A document for the meeting (PDF, DOCX, XLSX, image), served only to users who may see the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials", verbose_name=_("buổi họp"))
    file = models.FileField(_("tệp"), upload_to=material_path)
    name = models.CharField(_("tên tài liệu"), max_length=200)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("người tải")
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name


def document_path(instance: "OfficialDocument", filename: str) -> str:
    return f"documents/{instance.meeting_id}/{filename}"


class OfficialDocument(models.Model):
    """A document of a meeting as issued, stored once: the approved minutes, the resolution adopted. Version 1 is
    written at the approval, one more at each correction; none is ever changed or deleted, and the file stored is
    what every later download serves (its SHA-256 shown beside it). A row is written by ``meetings.services`` in the
    transaction of the approval or correction, its file right after by ``reports.documents`` (until then the row is
    pending: ``file`` empty)."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Biên bản")
        RESOLUTION = "resolution", _("Nghị quyết")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents", verbose_name=_("buổi họp"))
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("bản số"))
    reason = models.CharField(_("lý do"), max_length=400, blank=True)
    file = models.FileField(_("tệp"), upload_to=document_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    stored_at = models.DateTimeField(_("lưu tệp lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("văn bản đã ban hành")
        verbose_name_plural = _("văn bản đã ban hành")
        ordering = ["meeting", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "version"], name="%(app_label)s_%(class)s_one_row_per_version"
            ),
            models.CheckConstraint(
                condition=Q(file="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="%(app_label)s_%(class)s_stored_with_hash",
            ),
        ]
        indexes = [
            # The sweep: rows whose file is not stored yet.
            models.Index(fields=["stored_at"], condition=Q(stored_at__isnull=True), name="meetings_doc_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.meeting} (bản {self.version})"

    @property
    def is_stored(self) -> bool:
        return bool(self.file)


class OutboxMessage(models.Model):
    """An e-mail to send: written as a row first (unique per kind, recipient and subject), then sent by a task that
    claims it. Nothing is lost when the worker or the mail server is down: the sweeper retries queued rows."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Thông báo sinh hoạt")
        UPDATE = "update", _("Thay đổi lịch sinh hoạt")
        CANCEL = "cancel", _("Hủy buổi sinh hoạt")
        REMINDER = "reminder", _("Nhắc việc")
        # Reminders (meetings.reminders): each found by a sweeper, keyed by (kind, recipient, subject, period).
        PLAN_DUE = "plan_due", _("Nhắc lập kế hoạch sinh hoạt")
        AGENDA_REMINDER = "agenda_reminder", _("Nhắc nội dung sinh hoạt")
        MEETING_TOMORROW = "meeting_tomorrow", _("Nhắc họp ngày mai")
        NOT_RECORDED = "not_recorded", _("Chưa ghi biên bản")
        MINUTES_LATE = "minutes_late", _("Biên bản chưa duyệt")
        VISIT_REPORT_LATE = "visit_report_late", _("Báo cáo dự sinh hoạt quá hạn")
        THEMATIC_MISSING = "thematic_missing", _("Chưa sinh hoạt chuyên đề trong quý")
        QUOTA_BEHIND = "quota_behind", _("Chưa đủ định mức dự sinh hoạt")
        DIGEST = "digest", _("Tổng hợp tháng")
        ABSENCES = "absences", _("Vắng không lý do nhiều lần")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")
        # A reminder whose reason was gone at send time (the meeting was planned, cancelled, moved): never sent.
        DROPPED = "dropped", _("Không gửi: hết lý do nhắc")
        # A reminder found after its lateness cutoff (a beat or worker down too long): never sent, marked.
        MISSED = "missed", _("Không gửi: quá muộn")

    key = models.CharField(_("khóa"), max_length=200, unique=True)
    kind = models.CharField(_("loại thư"), max_length=20, choices=Kind.choices)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox", verbose_name=_("buổi họp")
    )
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người nhận")
    )
    to_email = models.EmailField(_("gửi đến"))
    subject = models.CharField(_("tiêu đề"), max_length=300)
    body_text = models.TextField(_("nội dung"))
    body_html = models.TextField(_("nội dung HTML"), blank=True)
    ics = models.TextField(_("lịch .ics"), blank=True)
    ics_method = models.CharField(_("METHOD của lịch"), max_length=20, blank=True)
    # A reminder's organization (whose board may see it), what it is about ("meeting:12", "visitor:4", "member:7") and
    # the period it is for; after ``expires_at`` it is too late to send.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tổ chức"),
    )
    about = models.CharField(_("về việc"), max_length=60, blank=True)
    period = models.DateField(_("kỳ"), null=True, blank=True)
    expires_at = models.DateTimeField(_("quá hạn gửi lúc"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư chờ gửi")
        verbose_name_plural = _("hộp thư đi")
        ordering = ["-created_at"]
        indexes = [
            # The sweeper: queued rows that are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="queued"), name="meetings_outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email}"


class VisitReport(models.Model):
    """The report a committee member files on a meeting they visited (báo cáo dự sinh hoạt), to the committee that
    assigned them; due within ``visit_report_days`` of the meeting (policy). Once submitted it is locked: a change is
    a correction with a reason, kept in ``history`` (as for minutes)."""

    class Guidance(models.TextChoices):
        FOLLOWED = "followed", _("Đúng hướng dẫn của cấp trên")
        PARTLY = "partly", _("Đúng một phần")
        NOT_FOLLOWED = "not_followed", _("Chưa đúng hướng dẫn")

    visitor = models.OneToOneField(
        Visitor, on_delete=models.PROTECT, related_name="report", verbose_name=_("lượt dự sinh hoạt")
    )
    attendance_observed = models.TextField(
        _("tình hình dự họp"),
        max_length=2_000,
        blank=True,
        help_text=_("Số đảng viên có mặt, vắng; đúng giờ; ghi nhận của đồng chí."),
    )
    followed_guidance = models.CharField(
        _("nội dung sinh hoạt theo hướng dẫn của cấp trên"), max_length=20, choices=Guidance.choices, blank=True
    )
    guidance_note = models.TextField(_("nhận xét về nội dung"), max_length=2_000, blank=True)
    speakers = models.PositiveSmallIntegerField(_("số đảng viên phát biểu"), null=True, blank=True)
    discussion_note = models.TextField(_("chất lượng thảo luận"), max_length=2_000, blank=True)
    resolution_adopted = models.BooleanField(_("ra được nghị quyết, kết luận"), null=True, blank=True)
    contribution = models.TextField(_("ý kiến của đồng chí tại buổi họp"), max_length=5_000, blank=True)
    recommendations = models.TextField(_("kiến nghị, đề xuất của đảng viên và nhân dân"), max_length=5_000, blank=True)
    # The visitor grades the meeting on the rubric of the cell's self-grade (out of 100, Hướng dẫn 42's scoring
    # sheets); the grade follows from the score by the meeting's rule (``meetings.rules.grade_for``) when one is given.
    score = models.PositiveSmallIntegerField(_("điểm đánh giá (0–100)"), null=True, blank=True)
    grade = models.CharField(_("đánh giá buổi sinh hoạt"), max_length=20, choices=Meeting.Grade.choices, blank=True)
    follow_ups = models.TextField(_("đề xuất với cấp ủy"), max_length=5_000, blank=True)

    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nộp"),
    )
    correction_count = models.PositiveSmallIntegerField(_("số lần đính chính"), default=0)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, help_text=_("Chống ghi đè khi hai người sửa."))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("báo cáo dự sinh hoạt")
        verbose_name_plural = _("báo cáo dự sinh hoạt")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100),
                name="%(app_label)s_%(class)s_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} — {self.visitor.meeting}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class VisitQuotaSet(models.Model):
    """A regulation on superior-committee visits (dự sinh hoạt), attached to an organization and applying to the
    seats on its committee and on the committees below it from ``valid_from``, citing its source.

    As with ``cells.Policy``: on a day, the set in force on an organization is the one with the latest ``valid_from``
    on or before it; the nearest organization of the seat's chain with a set in force gives all the quotas (a later
    set replaces an earlier one whole). A period is judged by the set in force on its first day."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="visit_quota_sets", verbose_name=_("tổ chức")
    )
    name = models.CharField(_("tên"), max_length=200)
    source = models.CharField(_("căn cứ"), max_length=300, help_text=_("Số, ngày và cơ quan ban hành văn bản."))
    source_url = models.URLField(_("liên kết văn bản"), blank=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    note = models.TextField(_("ghi chú"), max_length=5_000, blank=True)
    preset = models.CharField(_("mẫu"), max_length=40, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("định mức dự sinh hoạt")
        verbose_name_plural = _("định mức dự sinh hoạt")
        ordering = ["organization", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "valid_from"],
                name="%(app_label)s_%(class)s_one_per_start",
                violation_error_message=_("Tổ chức này đã có định mức dự sinh hoạt áp dụng từ ngày này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization}, {self.valid_from:%d/%m/%Y})"


class VisitQuota(models.Model):
    """One line of a quota set: a seat of ``rank`` on a committee of ``committee_kind`` visits at least ``count``
    meetings of the ``target`` kind each ``period``.

    Lines for the same seat add up: Yên Bái's "2 a quarter, of which 1 with the commune committee and 1 with a
    residential cell" is three lines (2 of any kind, 1 committee meeting, 1 residential cell meeting), all to be met."""

    class Period(models.TextChoices):
        MONTH = "month", _("tháng")
        QUARTER = "quarter", _("quý")
        YEAR = "year", _("năm")

    class Target(models.TextChoices):
        ANY = "any", _("Buổi sinh hoạt của chi bộ hoặc đảng ủy")
        CELL = "cell", _("Buổi sinh hoạt của chi bộ")
        COMMITTEE = "committee", _("Buổi sinh hoạt của đảng ủy (đảng ủy cơ sở, đảng ủy xã)")
        RESIDENTIAL = "residential", _("Buổi sinh hoạt của chi bộ khu dân cư")
        COMMITTEE_OR_RESIDENTIAL = "committee_or_residential", _("Buổi sinh hoạt của đảng ủy hoặc chi bộ khu dân cư")

    quota_set = models.ForeignKey(
        VisitQuotaSet, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("định mức")
    )
    committee_kind = models.CharField(_("cấp ủy của cấp"), max_length=30, choices=Organization.Kind.choices)
    rank = models.CharField(_("cấp bậc"), max_length=20, choices=CommitteeSeat.Rank.choices)
    period = models.CharField(_("mỗi"), max_length=10, choices=Period.choices)
    count = models.PositiveSmallIntegerField(_("ít nhất (lần)"))
    target = models.CharField(_("dự sinh hoạt với"), max_length=30, choices=Target.choices, default=Target.ANY)
    assigned_only = models.BooleanField(
        _("chỉ nơi được phân công"),
        default=True,
        help_text=_("Chỉ tính buổi họp của tổ chức được phân công theo dõi (và các chi bộ trực thuộc tổ chức đó)."),
    )
    requires_assignment = models.BooleanField(
        _("chỉ áp dụng cho người được phân công"),
        default=False,
        help_text=_("Định mức chỉ áp dụng cho cấp ủy viên có phân công theo dõi trong kỳ."),
    )
    exclude_own_cell = models.BooleanField(_("không tính chi bộ nơi mình sinh hoạt"), default=False)
    quoted = models.CharField(_("trích văn bản"), max_length=1_000, blank=True)

    class Meta:
        verbose_name = _("dòng định mức")
        verbose_name_plural = _("dòng định mức")
        ordering = ["quota_set", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="%(app_label)s_%(class)s_count_positive"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_rank_display()} {self.get_committee_kind_display()}: {self.count}/{self.get_period_display()}"
        )
