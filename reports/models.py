"""Stored compliance findings: one row per cell and month, so a province dashboard reads thousands of rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cells.models import Organization
from meetings import rules

# The outcome of a rule, as ``meetings.rules`` judges it (defined there, with the rules).
Result = rules.Result

# The columns of a cell-month that the sums per organization read (``reports.rollups``): on PostgreSQL they come
# from the covering index below alone, without touching the wide rows.
SUMMED_FIELDS = (
    "cell_id",
    "cell_type",
    "all_ok",
    "regular_held",
    "thematic",
    "attendance_present",
    "attendance_expected",
    "length_minutes",
    "speakers_count",
)


def _result(label: str) -> models.CharField:
    return models.CharField(label, max_length=4, choices=Result.choices, default=Result.NOT_APPLICABLE)


class CellMonth(models.Model):
    """The findings for one cell and one calendar month, computed from the facts (meetings, attendance, speeches)
    with the policy in force in that month. ``rules`` keeps, per rule, the required value and its source."""

    cell = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="findings", verbose_name=_("chi bộ"))
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    # Denormalized for the dashboards' filters: the cell's path and type at computation time.
    path = models.CharField(_("đường dẫn trong cây"), max_length=255)
    cell_type = models.CharField(_("loại hình chi bộ"), max_length=20, blank=True)

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("buổi sinh hoạt định kỳ"),
    )
    regular_held = _result(_("có sinh hoạt định kỳ"))
    length = _result(_("đủ thời lượng"))
    length_minutes = models.PositiveIntegerField(_("thời lượng (phút)"), null=True, blank=True)
    length_required = models.PositiveIntegerField(_("thời lượng yêu cầu (phút)"), null=True, blank=True)
    speakers = _result(_("đủ số đảng viên phát biểu"))
    speakers_count = models.PositiveIntegerField(_("số đảng viên phát biểu"), null=True, blank=True)
    speakers_required = models.PositiveIntegerField(_("số phát biểu yêu cầu"), null=True, blank=True)
    # Attendance of the members expected at the meeting (not the exempted, those attached elsewhere, the suspended,
    # nor guests attached here): present + excused + absent (+ not marked) = expected.
    attendance_present = models.PositiveIntegerField(_("có mặt"), default=0)
    attendance_expected = models.PositiveIntegerField(_("phải có mặt"), default=0)
    attendance_excused = models.PositiveIntegerField(_("vắng có lý do"), default=0)
    attendance_absent = models.PositiveIntegerField(_("vắng không lý do"), default=0)
    # The quorum (more than half of the counted official members present), with the vote rule's figures.
    attendance = _result(_("đủ số đảng viên dự họp"))
    vote_counted = models.PositiveIntegerField(_("số đảng viên chính thức được tính"), null=True, blank=True)
    vote_present = models.PositiveIntegerField(_("số đảng viên có mặt được biểu quyết"), null=True, blank=True)
    resolution = _result(_("nghị quyết thông qua hợp lệ"))
    agenda_on_time = _result(_("gửi chương trình đúng hạn"))
    minutes_on_time = _result(_("duyệt biên bản đúng hạn"))
    thematic = _result(_("có sinh hoạt chuyên đề trong quý"))
    # Those that met their own length rule (a thematic meeting too short does not make the quarter's).
    thematic_count = models.PositiveIntegerField(_("số buổi chuyên đề đạt trong quý (đến tháng này)"), default=0)
    # The month's thematic meetings held on their own (a combined session is the regular meeting: "length").
    thematic_length = _result(_("sinh hoạt chuyên đề đủ thời lượng"))
    cell_size = _result(_("đủ số đảng viên chính thức"))
    official_members = models.PositiveIntegerField(_("số đảng viên chính thức"), default=0)
    all_ok = models.BooleanField(_("đạt mọi quy định"), default=False)
    rules = models.JSONField(_("quy định áp dụng"), default=dict)
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        verbose_name = _("kết quả tháng của chi bộ")
        verbose_name_plural = _("kết quả tháng của chi bộ")
        constraints = [
            models.UniqueConstraint(fields=["cell", "month"], name="%(app_label)s_%(class)s_one_per_cell_month"),
        ]
        indexes = [
            # The dashboards: a subtree (path prefix) over a period.
            models.Index(fields=["month", "path"], name="reports_cm_month_path_idx"),
            # The dashboards' groupings and their cache version read only these columns: on PostgreSQL they come
            # from the index alone, without touching the wide rows (the `rules` JSON is ~80% of a row). Other
            # databases ignore `include`.
            models.Index(
                fields=["path", "month"],
                name="reports_cm_path_month_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["id", "computed_at", *SUMMED_FIELDS],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell} {self.month:%m/%Y}"

    RULE_FIELDS = (
        "regular_held",
        "length",
        "speakers",
        "attendance",
        "resolution",
        "agenda_on_time",
        "minutes_on_time",
        "thematic",
        "thematic_length",
        "cell_size",
    )

    @property
    def failed_rules(self) -> list[str]:
        return [name for name in self.RULE_FIELDS if getattr(self, name) == Result.FAIL]


class Rollup(models.Model):
    """The findings summed for one organization (a cell, or a committee over its whole subtree), one period (a month,
    a quarter or a year) and one cell type ("" for all): what the dashboards read, so that a province's year is one
    row and its children's months a few hundred, whatever the number of cells. Kept by ``reports.rollups`` in the
    same transaction as the ``CellMonth`` rows it sums; never edited by hand.

    A cell's row counts itself once (``cells`` = 1); a committee's row is the sum of its children's rows. Every
    figure adds up that way: counts of cells, of cell-months, of cell-quarters, and the histograms of meeting lengths
    and speaker counts (``{"90": 12}``: twelve meetings of 90 minutes) from which medians are read."""

    class Period(models.TextChoices):
        MONTH = "m", _("tháng")
        QUARTER = "q", _("quý")
        YEAR = "y", _("năm")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("tổ chức đảng")
    )
    # The organization's path and depth when the row was written (its subtree, its parent): kept in step by a move.
    path = models.CharField(_("đường dẫn trong cây"), max_length=255)
    depth = models.PositiveIntegerField(_("cấp trong cây"))
    is_cell = models.BooleanField(_("là chi bộ"), default=False)
    cell_type = models.CharField(_("loại hình chi bộ"), max_length=20, blank=True)
    period = models.CharField(_("kỳ"), max_length=1, choices=Period.choices)
    start = models.DateField(_("ngày đầu kỳ"))

    cells = models.PositiveIntegerField(_("chi bộ có số liệu"), default=0)
    cells_short = models.PositiveIntegerField(_("chi bộ có tháng không đạt"), default=0)
    cells_decided = models.PositiveIntegerField(_("chi bộ có tháng đạt hoặc không đạt"), default=0)
    passed = models.PositiveIntegerField(_("tháng đạt"), default=0)
    failed = models.PositiveIntegerField(_("tháng không đạt"), default=0)
    held = models.PositiveIntegerField(_("tháng có sinh hoạt định kỳ"), default=0)
    due = models.PositiveIntegerField(_("tháng phải sinh hoạt"), default=0)
    present = models.PositiveIntegerField(_("lượt có mặt"), default=0)
    expected = models.PositiveIntegerField(_("lượt phải có mặt"), default=0)
    thematic_pass = models.PositiveIntegerField(_("quý có chuyên đề"), default=0)
    thematic_decided = models.PositiveIntegerField(_("quý đã xét chuyên đề"), default=0)
    lengths = models.JSONField(_("phân bố thời lượng (phút: số buổi)"), default=dict)
    speakers = models.JSONField(_("phân bố số đảng viên phát biểu"), default=dict)
    # Cell-months per rule and result, "not applicable" left out: {"length.pass": 40, "length.fail": 3}.
    results = models.JSONField(_("số tháng theo quy định và kết quả"), default=dict)
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tổng hợp kết quả theo kỳ")
        verbose_name_plural = _("tổng hợp kết quả theo kỳ")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cell_type", "period", "start"], name="%(app_label)s_%(class)s_one_per_period"
            ),
        ]
        indexes = [
            # The cells of a subtree that fell short most often in a period.
            models.Index(
                fields=["period", "start", "cell_type", "is_cell", "path"],
                name="reports_rollup_cells_idx",
                opclasses=["varchar_pattern_ops", "date_ops", "varchar_pattern_ops", "bool_ops", "varchar_pattern_ops"],
            ),
            # The children of the committees being summed again (``path`` prefix and ``depth``).
            models.Index(
                fields=["depth", "path"],
                name="reports_rollup_depth_path_idx",
                opclasses=["int4_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.period} {self.start} {self.cell_type or '*'}"

    # The figures that add up from children to their parent (every count above), and the histograms.
    COUNTS = (
        "cells",
        "cells_short",
        "cells_decided",
        "passed",
        "failed",
        "held",
        "due",
        "present",
        "expected",
        "thematic_pass",
        "thematic_decided",
    )
    HISTOGRAMS = ("lengths", "speakers")


class DocumentJob(models.Model):
    """A long document asked for by a user and made by a worker (``reports.jobs``): every minutes of a month in
    an organization's subtree as one PDF, for instance. The row is written first; the worker claims it, counts its
    progress here (the page reads it) and stores the file, which only readers of the organization may download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang in")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không in được")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("người yêu cầu")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("tổ chức đảng")
    )
    kind = models.CharField(_("loại tài liệu"), max_length=40)
    params = models.JSONField(_("tham số"), default=dict)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("đã in"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), null=True, blank=True)
    # Each claim by a worker adds one; a worker's writes carry its number, so a worker the sweeper thought dead (its
    # job handed to another) writes nothing once it wakes up.
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    # When the job was last given to the broker (on its request's commit, then by the sweeper): a queued job not
    # claimed long after is handed over again (a hand-over lost with the broker down).
    handed_over_at = models.DateTimeField(_("chuyển cho máy in lúc"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to="documents/%Y/%m/", blank=True)
    file_name = models.CharField(_("tên tệp khi tải về"), max_length=200, blank=True)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("báo tiến độ lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu in tài liệu")
        verbose_name_plural = _("yêu cầu in tài liệu")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="%(app_label)s_%(class)s_status_known",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")),
                name="%(app_label)s_%(class)s_done_within_total",
            ),
        ]
        indexes = [
            # The sweeper: jobs queued (lost hand-overs) or running (stuck workers), few among many done ones.
            models.Index(
                fields=["status", "created_at"],
                name="reports_docjob_pending_idx",
                condition=Q(status__in=["queued", "running"]),
            ),
            # A user's recent jobs.
            models.Index(fields=["requested_by", "-created_at"], name="reports_docjob_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.organization_id} {self.params} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
