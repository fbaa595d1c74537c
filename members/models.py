"""People of the Party: members, their cell over time, their status over time, positions, committee seats, access."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cells.models import Organization
from cells.text import vi_name_sort_key
from members.querysets import DatedQuerySet, MemberQuerySet, MembershipQuerySet, StatusChangeQuerySet


def _valid_range() -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
        name="%(app_label)s_%(class)s_valid_range",
    )


class Member(models.Model):
    """A Party member (đảng viên). Card, party-history and register numbers are opaque strings."""

    class Gender(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    class Language(models.TextChoices):
        VI = "vi", "Tiếng Việt"
        EN = "en", "English"

    full_name = models.CharField(_("họ và tên"), max_length=120)
    sort_key = models.CharField(_("khóa sắp xếp"), max_length=400, editable=False, db_index=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=40, blank=True)
    party_history_number = models.CharField(_("số lý lịch đảng viên"), max_length=40, blank=True)
    register_number = models.CharField(_("số danh bạ"), max_length=40, blank=True)
    admission_date = models.DateField(_("ngày vào Đảng"))
    official_date = models.DateField(_("ngày chính thức"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("tài khoản"),
    )
    # The member's own preferences: the language of their mail, and the version of their private calendar link
    # (a new version revokes the old link).
    language = models.CharField(_("ngôn ngữ thư"), max_length=5, choices=Language.choices, default=Language.VI)
    calendar_version = models.PositiveIntegerField(_("phiên bản liên kết lịch"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["sort_key", "updated_at"])

    # The personal data a secretary keeps (the form, the roster import); with the two dates of the member's Party
    # life, everything a member record is written with.
    PERSONAL_FIELDS = (
        "full_name",
        "birth_date",
        "gender",
        "email",
        "phone",
        "card_number",
        "party_history_number",
        "register_number",
    )
    RECORD_FIELDS = (*PERSONAL_FIELDS, "admission_date", "official_date")
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["card_number"],
                condition=~Q(card_number=""),
                name="%(app_label)s_%(class)s_card_number_unique",
                violation_error_message=_("Số thẻ đảng viên này đã có trong hệ thống."),
            ),
            models.CheckConstraint(
                condition=Q(official_date__isnull=True) | Q(official_date__gt=models.F("admission_date")),
                name="%(app_label)s_%(class)s_official_after_admission",
                violation_error_message=_("Ngày chính thức phải sau ngày vào Đảng."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.sort_key = vi_name_sort_key(self.full_name)
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A member's party activity in one organization over a period: their home cell, or a temporary attachment."""

    class Kind(models.TextChoices):
        HOME = "home", _("Sinh hoạt chính thức tại chi bộ")
        TEMPORARY = "temporary", _("Đến sinh hoạt tạm thời")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("đảng viên")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("chi bộ")
    )
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices, default=Kind.HOME)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("nơi sinh hoạt")
        verbose_name_plural = _("nơi sinh hoạt")
        ordering = ["member", "valid_from"]
        constraints = [
            _valid_range(),
            # A member has one open home membership at a time (the current cell).
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(valid_to__isnull=True, kind="home"),
                name="%(app_label)s_%(class)s_one_current_home",
            ),
        ]
        indexes = [
            # Roster of a cell on a date: memberships of the organization whose period covers the date.
            models.Index(fields=["organization", "valid_from"], name="members_ms_org_from_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.organization}"


class StatusChange(models.Model):
    """From ``effective_from`` on, the member's status is ``status`` (until the next change)."""

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("Dự bị")
        OFFICIAL = "official", _("Chính thức")
        EXEMPTED = "exempted", _("Miễn công tác và sinh hoạt đảng")
        ATTACHED_ELSEWHERE = "attached_elsewhere", _("Đi sinh hoạt tạm thời nơi khác")
        SUSPENDED = "suspended", _("Đình chỉ sinh hoạt")
        TRANSFERRED_OUT = "transferred_out", _("Đã chuyển sinh hoạt đi")
        STRUCK_OFF = "struck_off", _("Đã xóa tên")
        DECEASED = "deceased", _("Từ trần")

    # Statuses that take a member off the roster.
    GONE = (Status.TRANSFERRED_OUT, Status.STRUCK_OFF, Status.DECEASED)

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("đảng viên")
    )
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    effective_from = models.DateField(_("từ ngày"))
    attached_to = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attached_members",
        verbose_name=_("sinh hoạt tạm thời tại"),
    )
    attached_to_name = models.CharField(_("nơi sinh hoạt tạm thời (ngoài hệ thống)"), max_length=200, blank=True)
    until = models.DateField(_("dự kiến đến ngày"), null=True, blank=True)
    note = models.CharField(_("căn cứ, ghi chú"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("thay đổi tình trạng")
        verbose_name_plural = _("thay đổi tình trạng")
        ordering = ["member", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "effective_from"], name="%(app_label)s_%(class)s_one_change_per_day"
            ),
        ]
        indexes = [
            # "Status on date D": the latest change of a member on or before D.
            models.Index(fields=["member", "-effective_from"], name="members_sc_member_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()} ({self.effective_from:%d/%m/%Y})"


class Position(models.Model):
    """A post in a cell's committee (bí thư, phó bí thư, chi ủy viên), dated. One secretary at a time."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Bí thư")
        DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
        COMMITTEE_MEMBER = "committee_member", _("Chi ủy viên")

    WRITING_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="positions", verbose_name=_("đảng viên"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="positions", verbose_name=_("tổ chức")
    )
    role = models.CharField(_("chức vụ"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chức vụ trong chi bộ")
        verbose_name_plural = _("chức vụ trong chi bộ")
        ordering = ["organization", "role", "valid_from"]
        constraints = [
            _valid_range(),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(valid_to__isnull=True, role="secretary"),
                name="%(app_label)s_%(class)s_one_current_secretary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.organization}: {self.member}"


class CommitteeSeat(models.Model):
    """A seat on a superior organization's committee (cấp ủy), dated; held by a member or someone outside the tree."""

    class Rank(models.TextChoices):
        STANDING = "standing", _("Ủy viên Ban Thường vụ")
        COMMITTEE = "committee", _("Cấp ủy viên")
        BOARD_LEADER = "board_leader", _("Lãnh đạo ban, ngành")
        OTHER = "other", _("Khác")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="committee_seats", verbose_name=_("cấp ủy của")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("đảng viên"),
    )
    holder_name = models.CharField(_("họ tên (nếu không có trong danh sách)"), max_length=120, blank=True)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    rank = models.CharField(_("cấp bậc"), max_length=20, choices=Rank.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cấp ủy viên")
        verbose_name_plural = _("cấp ủy viên")
        ordering = ["organization", "rank", "valid_from"]
        constraints = [
            _valid_range(),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(holder_name=""), name="%(app_label)s_%(class)s_has_holder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} — {self.get_rank_display()} {self.organization}"

    @property
    def holder(self) -> str:
        return self.member.full_name if self.member_id else self.holder_name


class Assignment(models.Model):
    """Phân công theo dõi: a committee seat follows an organization (usually a cell) over a period."""

    seat = models.ForeignKey(
        CommitteeSeat, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("cấp ủy viên")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("tổ chức được theo dõi")
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công theo dõi")
        verbose_name_plural = _("phân công theo dõi")
        ordering = ["seat", "valid_from"]
        constraints = [_valid_range()]

    def __str__(self) -> str:
        return f"{self.seat.holder} → {self.organization}"


class AccessGrant(models.Model):
    """Access for organization-board staff (ban tổ chức), who may not be members here: read, or write, a subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants", verbose_name=_("tài khoản")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="access_grants", verbose_name=_("tổ chức")
    )
    can_write = models.BooleanField(_("được sửa"), default=False)
    valid_from = models.DateField(_("từ ngày"), default=datetime.date.today)
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyền của ban tổ chức")
        verbose_name_plural = _("quyền của ban tổ chức")
        constraints = [_valid_range()]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization} ({'ghi' if self.can_write else 'xem'})"
