"""The organization tree: Party organizations of any depth, cells among them, with their names over time."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from cells.querysets import OrganizationManager


def ancestor_paths(path: str, *, itself: bool = False) -> list[str]:
    """The materialized paths of the ancestors of the node at ``path``, root first (and ``path`` itself last when
    ``itself``): the one place that reads the tree's path format."""
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + (step if itself else 0), step)]


def parent_path(path: str) -> str:
    """The path of the parent of the node at ``path`` ("" for a root)."""
    return path[: -Organization.steplen]


class Organization(MP_Node):
    """A node of the one organization tree (materialized path: a whole subtree is one indexed prefix query).

    Levels are data (``kind``), never code. A cell (chi bộ) is a node whose kind is a cell kind; it holds the regular
    meetings. A merged or split node keeps links to the nodes it came from, and its names over time live in
    ``OrganizationName`` so that old meetings print the name the organization had on their date.
    """

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCIAL = "provincial", _("Đảng bộ tỉnh, thành phố")
        COMMUNE = "commune", _("Đảng bộ xã, phường, đặc khu")
        BLOC = "bloc", _("Đảng bộ khối")
        # Districts were dissolved on 1/7/2025 (two-level local government); kept for the regulations and the
        # history that name them (Yên Bái 18-QĐ/TU sets quotas for district committee members).
        DISTRICT = "district", _("Đảng bộ huyện, quận, thị xã, thành phố thuộc tỉnh")
        GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
        SUB_COMMITTEE = "sub_committee", _("Đảng bộ bộ phận")
        GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
        SUBORDINATE_CELL = "subordinate_cell", _("Chi bộ trực thuộc")
        PARTY_GROUP = "party_group", _("Tổ đảng")
        OTHER = "other", _("Khác")

    CELL_KINDS = (Kind.GRASSROOTS_CELL, Kind.SUBORDINATE_CELL)

    class CellType(models.TextChoices):
        RESIDENTIAL = "residential", _("Khu dân cư (thôn, bản, ấp, khóm, tổ dân phố)")
        AGENCY = "agency", _("Cơ quan")
        PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp (trường học, bệnh viện)")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
        OTHER = "other", _("Khác")

    LAST_DAY_OF_MONTH = 0

    name = models.CharField(_("tên"), max_length=200)
    code = models.CharField(_("mã"), max_length=40, unique=True)
    kind = models.CharField(_("loại tổ chức"), max_length=30, choices=Kind.choices)
    place_name = models.CharField(
        _("địa danh"), max_length=100, blank=True, help_text=_("In ở đầu văn bản: “{địa danh}, ngày … tháng … năm …”.")
    )
    valid_from = models.DateField(_("có hiệu lực từ"), default=datetime.date(2025, 7, 1))
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    formed_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="succeeded_by",
        blank=True,
        verbose_name=_("hình thành từ (hợp nhất, chia tách)"),
    )
    cell_type = models.CharField(_("loại hình chi bộ"), max_length=20, choices=CellType.choices, blank=True)
    meeting_day = models.PositiveSmallIntegerField(
        _("ngày sinh hoạt định kỳ"), null=True, blank=True, help_text=_("1 đến 28, hoặc 0 là ngày cuối tháng.")
    )
    meeting_time = models.TimeField(_("giờ sinh hoạt"), null=True, blank=True)
    venue = models.CharField(_("địa điểm sinh hoạt"), max_length=200, blank=True)
    document_numbering = models.CharField(
        _("đánh số văn bản"),
        max_length=10,
        choices=[("term", _("Từ 01 trong mỗi nhiệm kỳ")), ("year", _("Từ 01 trong mỗi năm"))],
        blank=True,
        help_text=_(
            "Để trống: theo tổ chức cấp trên; không tổ chức nào đặt thì đánh số trong nhiệm kỳ (Hướng dẫn 36-HD/VPTW)."
        ),
    )

    # No node_order_by: a sorted insert renumbers the later siblings' paths, and stored paths (findings, caches)
    # would then point into another subtree. New nodes go last; pages sort by name.
    objects = OrganizationManager()

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_day__isnull=True) | Q(meeting_day__lte=28),
                name="%(app_label)s_%(class)s_meeting_day_in_month",
                violation_error_message=_("Ngày sinh hoạt định kỳ là từ 1 đến 28, hoặc 0 (ngày cuối tháng)."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_range",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày có hiệu lực."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["grassroots_cell", "subordinate_cell"]) | Q(cell_type=""),
                name="%(app_label)s_%(class)s_cell_type_only_on_cells",
                violation_error_message=_("Chỉ chi bộ mới có loại hình chi bộ."),
            ),
        ]
        indexes = [
            # Every subtree query is `path LIKE 'prefix%'`: on PostgreSQL with a non-C collation only a
            # pattern_ops index serves it (other databases ignore opclasses and use the unique index on path).
            models.Index(fields=["path"], name="cells_org_path_like_idx", opclasses=["varchar_pattern_ops"]),
            # Cells of a subtree (counts in the browser, the compliance sweep): kind, then the path prefix.
            models.Index(fields=["kind", "path"], name="cells_org_kind_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_cell(self) -> bool:
        return self.kind in self.CELL_KINDS

    def ancestor_paths(self, *, itself: bool = False) -> list[str]:
        """The paths of this node's ancestors, root first (then its own with ``itself``), without a query."""
        return ancestor_paths(self.path, itself=itself)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def meeting_day_label(self) -> str:
        if self.meeting_day is None:
            return ""
        if self.meeting_day == self.LAST_DAY_OF_MONTH:
            return str(_("ngày cuối tháng"))
        return str(_("ngày {day} hằng tháng")).format(day=self.meeting_day)


class OrganizationName(models.Model):
    """The name, place name and parent an organization had over a period, as printed on its documents then."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="names", verbose_name=_("tổ chức")
    )
    name = models.CharField(_("tên"), max_length=200)
    place_name = models.CharField(_("địa danh"), max_length=100, blank=True)
    parent_name = models.CharField(_("tên tổ chức cấp trên"), max_length=200, blank=True)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("tên tổ chức theo thời gian")
        verbose_name_plural = _("tên tổ chức theo thời gian")
        ordering = ["organization", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "valid_from"], name="%(app_label)s_%(class)s_one_name_per_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


class Term(models.Model):
    """A term (nhiệm kỳ) of an organization's committee, from the congress (đại hội) that elected it to the next
    term's start. Party documents are numbered from 01 within a term (Hướng dẫn 36-HD/VPTW); an organization that
    records no term has the Party's five-year terms (``cells.numbering``)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="terms", verbose_name=_("tổ chức")
    )
    name = models.CharField(_("nhiệm kỳ"), max_length=40, help_text=_("Ví dụ: 2025–2030."))
    starts_on = models.DateField(_("từ ngày (ngày đại hội)"))

    class Meta:
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")
        ordering = ["organization", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "starts_on"], name="%(app_label)s_%(class)s_one_term_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.name}"


class Policy(models.Model):
    """A set of rules attached to an organization, applying to its subtree from ``valid_from``, citing its source.

    A value left empty is inherited: from the nearest ancestor's policy in force on the date, and in the end from
    the built-in defaults of ``cells.policies.DEFAULTS`` (each with its own legal source). A later policy applies
    from its date on and never changes the findings of earlier months.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="policies", verbose_name=_("tổ chức")
    )
    name = models.CharField(_("tên"), max_length=200)
    source = models.CharField(_("căn cứ"), max_length=300, help_text=_("Số, ngày và cơ quan ban hành văn bản."))
    source_url = models.URLField(_("liên kết văn bản"), blank=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    note = models.TextField(_("ghi chú"), blank=True)

    min_minutes_regular = models.PositiveSmallIntegerField(
        _("thời lượng tối thiểu sinh hoạt định kỳ (phút)"), null=True, blank=True
    )
    min_minutes_thematic = models.PositiveSmallIntegerField(
        _("thời lượng tối thiểu sinh hoạt chuyên đề (phút)"), null=True, blank=True
    )
    min_minutes_combined = models.PositiveSmallIntegerField(
        _("thời lượng tối thiểu buổi kết hợp (phút)"), null=True, blank=True
    )
    min_member_speakers = models.PositiveSmallIntegerField(_("số đảng viên phát biểu tối thiểu"), null=True, blank=True)
    thematic_per_quarter = models.PositiveSmallIntegerField(_("số buổi chuyên đề mỗi quý"), null=True, blank=True)
    agenda_lead_days = models.PositiveSmallIntegerField(
        _("gửi chương trình trước ít nhất (ngày)"), null=True, blank=True
    )
    agenda_send_days = models.PositiveSmallIntegerField(
        _("gửi chương trình mặc định trước (ngày)"), null=True, blank=True
    )
    reminder_minutes = models.PositiveSmallIntegerField(
        _("nhắc lịch trước giờ họp (phút)"),
        null=True,
        blank=True,
        help_text=_("Lời nhắc trong lịch gửi kèm thông báo: bao nhiêu phút trước giờ bắt đầu."),
    )
    minutes_approval_days = models.PositiveSmallIntegerField(
        _("duyệt biên bản trong vòng (ngày)"), null=True, blank=True
    )
    smallest_cell_official = models.PositiveSmallIntegerField(
        _("số đảng viên chính thức tối thiểu của chi bộ"), null=True, blank=True
    )
    strike_off_absences = models.PositiveSmallIntegerField(
        _("số tháng vắng sinh hoạt không lý do trong năm để xem xét xóa tên"), null=True, blank=True
    )
    confirm_over_minutes = models.PositiveSmallIntegerField(
        _("họp dài hơn (phút) thì phải xác nhận"), null=True, blank=True
    )
    guests_may_vote = models.BooleanField(_("đảng viên sinh hoạt tạm thời được biểu quyết"), null=True, blank=True)
    visit_report_days = models.PositiveSmallIntegerField(
        _("nộp báo cáo dự sinh hoạt trong vòng (ngày)"),
        null=True,
        blank=True,
        help_text=_("Cấp ủy viên dự sinh hoạt nộp báo cáo cho cấp ủy đã phân công trong bao nhiêu ngày sau buổi họp."),
    )
    plan_reminder_days = models.PositiveSmallIntegerField(
        _("nhắc bí thư lập kế hoạch trước ngày sinh hoạt (ngày)"),
        null=True,
        blank=True,
        help_text=_("Bao nhiêu ngày trước ngày sinh hoạt định kỳ, nếu buổi họp tháng đó chưa có kế hoạch."),
    )
    quarter_reminder_weeks = models.PositiveSmallIntegerField(
        _("nhắc việc của quý khi quý còn (tuần)"),
        null=True,
        blank=True,
        help_text=_(
            "Khi quý còn bấy nhiêu tuần: nhắc chi bộ chưa sinh hoạt chuyên đề, "
            "cấp ủy viên chưa đủ định mức dự sinh hoạt."
        ),
    )

    class Meta:
        verbose_name = _("quy định")
        verbose_name_plural = _("quy định")
        ordering = ["organization", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "valid_from"],
                name="%(app_label)s_%(class)s_one_per_start",
                violation_error_message=_("Tổ chức này đã có quy định áp dụng từ ngày này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization}, {self.valid_from:%d/%m/%Y})"


class PendingRefresh(models.Model):
    """What is derived from an organization's meetings and rules (the compliance findings and their sums, kept by
    ``reports``) must be computed again: written in the same transaction as the change that asks for it, so that a
    broker or worker that is down loses nothing. Done, then deleted, by ``reports.refresh.refresh_pending``: a task
    right after the commit, and a sweep that finds what is left.

    - ``policy``: a policy of ``organization`` from ``first_month`` was added, changed or deleted: the months of its
      subtree already computed, from ``first_month`` to the current month.
    - ``meeting``: a meeting of ``organization`` in ``first_month`` changed: that month of that organization, and the
      later months up to ``last_month`` (the end of its quarter: their thematic count includes it) that have begun.
    """

    class Cause(models.TextChoices):
        POLICY = "policy", _("Quy định thay đổi")
        MEETING = "meeting", _("Buổi sinh hoạt thay đổi")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("tổ chức đảng")
    )
    cause = models.CharField(_("lý do"), max_length=10, choices=Cause.choices, default=Cause.POLICY)
    first_month = models.DateField(_("từ tháng"), help_text=_("Ngày đầu tháng."))
    last_month = models.DateField(
        _("đến tháng"), null=True, blank=True, help_text=_("Ngày đầu tháng; để trống: đến tháng hiện tại.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả chờ tính lại")
        verbose_name_plural = _("kết quả chờ tính lại")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=models.F("first_month")),
                name="%(app_label)s_%(class)s_months_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_cause_display()} {self.first_month:%m/%Y}"
