"""Writes about members: admission to a cell, edits, transfers, status changes, positions.

Every function validates (Vietnamese messages keyed by form field), writes in one transaction, and writes nothing
when it refuses.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cells.history import records_actor
from cells.models import Organization
from cells.text import vi_date
from members.access import check_write
from members.models import Member, Membership, Position, StatusChange

Status = StatusChange.Status
PROBATION = relativedelta(months=12)

MEMBER_FIELDS = Member.RECORD_FIELDS


def _check_member_dates(member: Member) -> None:
    errors: dict[str, str] = {}
    if (
        member.birth_date
        and member.admission_date
        and member.birth_date + relativedelta(years=18) > member.admission_date
    ):
        errors["birth_date"] = _("Ngày sinh không hợp lệ: đảng viên phải đủ 18 tuổi khi vào Đảng.")
    if member.official_date and member.admission_date and member.official_date < member.admission_date + PROBATION:
        errors["official_date"] = _("Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng (sớm nhất {day}).").format(
            day=vi_date(member.admission_date + PROBATION)
        )
    if errors:
        raise ValidationError(errors)


def check_card_number_free(member: Member) -> None:
    """Refuse a card number another member already has (the form calls this too, to show it on the field)."""
    if member.card_number and Member.objects.filter(card_number=member.card_number).exclude(pk=member.pk).exists():
        raise ValidationError(
            {"card_number": _("Số thẻ đảng viên {card} đã có trong hệ thống.").format(card=member.card_number)}
        )


def _check_cell(cell: Organization, on: datetime.date, field: str = "cell") -> None:
    if not cell.is_cell:
        raise ValidationError({field: _("{name} không phải là chi bộ.").format(name=cell.name)})
    if not cell.is_active_on(on):
        raise ValidationError(
            {field: _("{name} không còn hoạt động vào ngày {day}.").format(name=cell.name, day=vi_date(on))}
        )


@records_actor
@transaction.atomic
def member_create(*, cell: Organization, joined_cell_on: datetime.date | None = None, by=None, **fields) -> Member:
    """Add a member to ``cell``: probationary from the admission date, official from the official date if given."""
    check_write(by, cell, "cell")
    member = Member(**{key: fields.get(key) for key in MEMBER_FIELDS if key in fields})
    for key in ("gender", "email", "phone", "card_number", "party_history_number", "register_number"):
        if getattr(member, key) is None:
            setattr(member, key, "")
    member.full_name = " ".join((member.full_name or "").split())
    # Our own checks first: their messages name the problem better than the generic constraint messages.
    _check_member_dates(member)
    check_card_number_free(member)
    member.full_clean(exclude=["sort_key"], validate_unique=False)
    since = joined_cell_on or member.admission_date
    if since < member.admission_date:
        raise ValidationError(
            {
                "joined_cell_on": _("Ngày bắt đầu sinh hoạt tại chi bộ không được trước ngày vào Đảng ({day}).").format(
                    day=vi_date(member.admission_date)
                )
            }
        )
    _check_cell(cell, since)
    member.save()
    Membership.objects.create(member=member, organization=cell, valid_from=since)
    StatusChange.objects.create(
        member=member, status=Status.PROBATIONARY, effective_from=member.admission_date, created_by=by
    )
    if member.official_date:
        StatusChange.objects.create(
            member=member, status=Status.OFFICIAL, effective_from=member.official_date, created_by=by
        )
    return member


@records_actor
@transaction.atomic
def member_update(*, member: Member, by=None, **fields) -> Member:
    """Edit a member's personal data. Status and cell change through their own services, with dates."""
    for key in MEMBER_FIELDS:
        if key in fields:
            value = fields[key]
            setattr(member, key, "" if value is None and key not in {"birth_date", "official_date"} else value)
    member.full_name = " ".join(member.full_name.split())
    # Our own checks first: their messages name the problem better than the generic constraint messages.
    _check_member_dates(member)
    check_card_number_free(member)
    member.full_clean(exclude=["sort_key"], validate_unique=False)
    _move_admission(member)
    member.save()
    return member


def _move_admission(member: Member) -> None:
    """A corrected admission date moves the first status change (probationary) with it, so that the status history
    and the member's dates agree."""
    changes = list(StatusChange.objects.filter(member=member).order_by("effective_from", "id")[:2])
    if not changes or changes[0].status != Status.PROBATIONARY or changes[0].effective_from == member.admission_date:
        return
    if len(changes) > 1 and member.admission_date >= changes[1].effective_from:
        raise ValidationError(
            {
                "admission_date": _("Ngày vào Đảng phải trước lần thay đổi tình trạng kế tiếp ({day}).").format(
                    day=vi_date(changes[1].effective_from)
                )
            }
        )
    first_home = Membership.objects.filter(member=member, kind=Membership.Kind.HOME).order_by("valid_from").first()
    if first_home and member.admission_date > first_home.valid_from:
        raise ValidationError(
            {
                "admission_date": _("Ngày vào Đảng không được sau ngày bắt đầu sinh hoạt tại chi bộ ({day}).").format(
                    day=vi_date(first_home.valid_from)
                )
            }
        )
    changes[0].effective_from = member.admission_date
    changes[0].save(update_fields=["effective_from"])


@records_actor
@transaction.atomic
def member_transfer(*, member: Member, to_cell: Organization, on: datetime.date, by=None) -> Membership:
    """Move a member's party activity to another cell from ``on``. The old cell's roster before ``on`` keeps them."""
    current = Membership.objects.select_for_update().filter(member=member, kind="home", valid_to__isnull=True).first()
    if current is None:
        raise ValidationError(_("Đảng viên này hiện không sinh hoạt ở chi bộ nào."))
    if current.organization_id == to_cell.pk:
        raise ValidationError({"to_cell": _("Đảng viên đang sinh hoạt ở chi bộ này.")})
    if on <= current.valid_from:
        raise ValidationError(
            {
                "on": _("Ngày chuyển phải sau ngày bắt đầu sinh hoạt ở chi bộ hiện tại ({day}).").format(
                    day=vi_date(current.valid_from)
                )
            }
        )
    _check_cell(to_cell, on, field="to_cell")
    check_write(by, to_cell, "to_cell")
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    _end_positions(member, on, organization=current.organization)
    return Membership.objects.create(member=member, organization=to_cell, valid_from=on)


def _end_positions(member: Member, on: datetime.date, organization: Organization | None = None) -> None:
    """A member who leaves a cell (or the Party) leaves its posts, and the write access they gave, that day."""
    positions = Position.objects.filter(member=member, valid_to__isnull=True, valid_from__lt=on)
    if organization is not None:
        positions = positions.filter(organization=organization)
    positions.update(valid_to=on)


def status_on(member: Member, day: datetime.date) -> str | None:
    change = StatusChange.objects.filter(member=member).in_force_on(day).first()
    return change.status if change else None


@records_actor
@transaction.atomic
def member_status_change(
    *,
    member: Member,
    status: str,
    effective_from: datetime.date,
    attached_to: Organization | None = None,
    attached_to_name: str = "",
    until: datetime.date | None = None,
    note: str = "",
    by=None,
) -> StatusChange:
    """Record that from ``effective_from`` the member's status is ``status``. Changes are kept in date order."""
    Member.objects.select_for_update().filter(pk=member.pk).first()  # serialize changes to one member
    latest = StatusChange.objects.filter(member=member).order_by("-effective_from", "-id").first()
    if latest and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "Thay đổi tình trạng phải theo thứ tự thời gian: sau ngày {day} ({status})."
                ).format(day=vi_date(latest.effective_from), status=latest.get_status_display())
            }
        )
    if latest and latest.status == status:
        raise ValidationError({"status": _("Đảng viên đã ở tình trạng này.")})
    if latest and latest.status in StatusChange.GONE:
        raise ValidationError({"status": _("Đảng viên đã ra khỏi danh sách; không thể đổi tình trạng nữa.")})
    if effective_from < member.admission_date:
        raise ValidationError({"effective_from": _("Ngày hiệu lực không được trước ngày vào Đảng.")})
    if status == Status.PROBATIONARY:
        raise ValidationError({"status": _("Đảng viên chỉ là dự bị từ ngày vào Đảng; không thể trở lại dự bị.")})
    never_official = not StatusChange.objects.filter(member=member, status=Status.OFFICIAL).exists()
    if status == Status.OFFICIAL and never_official:
        earliest = member.admission_date + PROBATION
        if effective_from < earliest:
            raise ValidationError(
                {
                    "effective_from": _(
                        "Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng (sớm nhất {day})."
                    ).format(day=vi_date(earliest))
                }
            )
    if status == Status.ATTACHED_ELSEWHERE:
        if attached_to is None and not attached_to_name.strip():
            raise ValidationError({"attached_to": _("Chọn hoặc ghi rõ nơi đến sinh hoạt tạm thời.")})
        if attached_to is not None:
            check_write(by, attached_to, "attached_to")
    else:
        attached_to, attached_to_name = None, ""
    if until and until < effective_from:
        raise ValidationError({"until": _("Ngày kết thúc dự kiến không được trước ngày hiệu lực.")})
    if status in StatusChange.GONE or status == Status.ATTACHED_ELSEWHERE:
        started = (
            Membership.objects.filter(member=member, valid_to__isnull=True, kind=Membership.Kind.HOME)
            .values_list("valid_from", flat=True)
            .first()
        )
        if started and effective_from <= started:
            raise ValidationError(
                {
                    "effective_from": _(
                        "Ngày hiệu lực phải sau ngày bắt đầu sinh hoạt ở chi bộ hiện tại ({day})."
                    ).format(day=vi_date(started))
                }
            )

    change = StatusChange.objects.create(
        member=member,
        status=status,
        effective_from=effective_from,
        attached_to=attached_to,
        attached_to_name=attached_to_name.strip(),
        until=until,
        note=note.strip(),
        created_by=by,
    )
    if status == Status.OFFICIAL and not member.official_date:
        member.official_date = effective_from
        member.save(update_fields=["official_date"])
    if latest and latest.status == Status.ATTACHED_ELSEWHERE:
        # Back home (or gone): the temporary attachment still running on that day ends.
        Membership.objects.filter(member=member, kind=Membership.Kind.TEMPORARY, valid_from__lt=effective_from).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=effective_from)
        ).update(valid_to=effective_from)
    if status in StatusChange.GONE:
        Membership.objects.filter(member=member, valid_to__isnull=True).update(valid_to=effective_from)
        _end_positions(member, effective_from)
    if status == Status.ATTACHED_ELSEWHERE and attached_to is not None and attached_to.is_cell:
        # "until" is the last day of the attachment; a membership runs up to (not including) valid_to.
        Membership.objects.create(
            member=member,
            organization=attached_to,
            kind=Membership.Kind.TEMPORARY,
            valid_from=effective_from,
            valid_to=until + datetime.timedelta(days=1) if until else None,
        )
    return change


@records_actor
@transaction.atomic
def position_assign(
    *, member: Member, organization: Organization, role: str, valid_from: datetime.date, by=None
) -> Position:
    """Give ``member`` a post in ``organization`` from ``valid_from``. One secretary at a time."""
    check_write(by, organization, "role")
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if not Membership.objects.filter(member=member, organization=organization).active_on(valid_from).exists():
        raise ValidationError(
            {"member": _("Đảng viên không sinh hoạt ở tổ chức này vào ngày {day}.").format(day=vi_date(valid_from))}
        )
    overlapping = Position.objects.filter(organization=organization, role=role).filter(
        valid_to__isnull=True
    ) | Position.objects.filter(organization=organization, role=role, valid_to__gt=valid_from)
    if role == Position.Role.SECRETARY and overlapping.exists():
        holder = overlapping.select_related("member").first()
        raise ValidationError(
            {
                "role": _(
                    "Chi bộ đã có Bí thư {name} (từ {day}). Kết thúc nhiệm vụ đó trước khi giao cho người khác."
                ).format(name=holder.member.full_name, day=vi_date(holder.valid_from))
            }
        )
    if Position.objects.filter(member=member, organization=organization, role=role, valid_to__isnull=True).exists():
        raise ValidationError({"role": _("Đảng viên đang giữ chức vụ này.")})
    position = Position(member=member, organization=organization, role=role, valid_from=valid_from)
    position.full_clean()
    position.save()
    return position


@records_actor
@transaction.atomic
def position_end(*, position: Position, on: datetime.date, by=None) -> Position:
    if position.valid_to is not None:
        raise ValidationError(_("Chức vụ này đã kết thúc."))
    if on <= position.valid_from:
        raise ValidationError(
            {"on": _("Ngày kết thúc phải sau ngày bắt đầu ({day}).").format(day=vi_date(position.valid_from))}
        )
    position.valid_to = on
    position.save(update_fields=["valid_to"])
    return position


@records_actor
@transaction.atomic
def member_preferences_set(*, member: Member, language: str, by=None) -> Member:
    """A member's own preferences: the language of the mail they receive."""
    if language not in Member.Language.values:
        raise ValidationError({"language": _("Chọn Tiếng Việt hoặc English.")})
    member.language = language
    member.save(update_fields=["language", "updated_at"])
    return member


@records_actor
@transaction.atomic
def calendar_link_renew(*, member: Member, by=None) -> Member:
    """A new private calendar link for ``member``: every earlier one stops working (a link shared by mistake)."""
    Member.objects.filter(pk=member.pk).update(calendar_version=models.F("calendar_version") + 1)
    member.refresh_from_db(fields=["calendar_version"])
    return member
