"""Writes to the organization tree. Moving or merging keeps history: meetings stay with the node that held them,
and ``OrganizationName`` keeps the name, place and parent each node had on every date."""

import datetime
import logging

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from cells.models import Organization, OrganizationName, PendingRefresh
from cells.signals import organization_moved

logger = logging.getLogger(__name__)

# The task that does the refresh requests (``reports.tasks``), reached by name: this app sits below reports.
REFRESH_TASK = "reports.refresh_pending"


def refresh_request(
    *,
    organization_id: int,
    cause: str,
    first_month: datetime.date,
    last_month: datetime.date | None = None,
) -> None:
    """Ask for what is derived from ``organization_id``'s meetings and rules to be computed again (a
    ``PendingRefresh`` row, in the caller's transaction), and for the task that does it once that transaction
    commits. The same request made again within the same atomic block is not written twice (a recording page's save
    touches its meeting several times); one made elsewhere is never relied on, since its task may already be running
    on the facts as they were before this transaction commits. If the broker is down, the sweep does it later."""
    key = ("chibo.refresh", organization_id, cause, first_month, last_month)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # A callback registered with exactly the savepoints open now was made in this same atomic block.
        scope = set(connection.savepoint_ids)
        if any(getattr(func, "key", None) == key and sids == scope for sids, func, _r in connection.run_on_commit):
            return
    request = PendingRefresh.objects.create(
        organization_id=organization_id, cause=cause, first_month=first_month, last_month=last_month
    )

    def enqueue() -> None:
        try:
            current_app.send_task(REFRESH_TASK, args=[[request.pk]], ignore_result=True, retry=False)
        except Exception:  # the broker is down: the sweep does the request
            logger.warning("could not enqueue %s for refresh request %s", REFRESH_TASK, request.pk)

    enqueue.key = key
    transaction.on_commit(enqueue)


def name_on(organization: Organization, day: datetime.date) -> OrganizationName | None:
    """The name record in force on ``day`` (the printed name, place and parent of documents dated then)."""
    return (
        OrganizationName.objects.filter(organization=organization, valid_from__lte=day).order_by("-valid_from").first()
    )


def _open_name(organization: Organization, on: datetime.date) -> None:
    """Close the current name record at ``on`` and open one with the organization's present name and parent."""
    parent = Organization.objects.get_parent(organization, update=True)
    OrganizationName.objects.filter(organization=organization, valid_to__isnull=True, valid_from__lt=on).update(
        valid_to=on
    )
    OrganizationName.objects.update_or_create(
        organization=organization,
        valid_from=on,
        defaults={
            "name": organization.name,
            "place_name": organization.place_name,
            "parent_name": parent.name if parent else "",
            "valid_to": None,
        },
    )


@transaction.atomic
def organization_create(
    *,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    valid_from: datetime.date,
    place_name: str = "",
    cell_type: str = "",
    meeting_day: int | None = None,
    meeting_time: datetime.time | None = None,
    venue: str = "",
) -> Organization:
    fields = {
        "name": name,
        "code": code,
        "kind": kind,
        "valid_from": valid_from,
        "place_name": place_name,
        "cell_type": cell_type,
        "meeting_day": meeting_day,
        "meeting_time": meeting_time,
        "venue": venue,
    }
    errors = {}
    if meeting_day is not None and not 0 <= meeting_day <= 28:
        errors["meeting_day"] = _("Ngày sinh hoạt định kỳ là từ 1 đến 28, hoặc 0 (ngày cuối tháng).")
    if cell_type and kind not in Organization.CELL_KINDS:
        errors["cell_type"] = _("Chỉ chi bộ mới có loại hình chi bộ.")
    if parent is not None:
        parent.refresh_from_db()
        if parent.is_cell and kind != Organization.Kind.PARTY_GROUP:
            errors["parent"] = _("Dưới chi bộ chỉ có tổ đảng.")
    if errors:
        raise ValidationError(errors)
    candidate = Organization(**fields, path="0" * Organization.steplen, depth=1)
    candidate.full_clean(exclude=["path", "depth", "numchild"])
    if parent is not None:
        organization = Organization.objects.add_child(parent, create_kwargs=fields)
    else:
        organization = Organization.objects.add_root(create_kwargs=fields)
    _open_name(organization, valid_from)
    return organization


@transaction.atomic
def organization_rename(
    *, organization: Organization, name: str, on: datetime.date, place_name: str | None = None
) -> Organization:
    """Rename from ``on``: documents dated before keep the old name."""
    organization.refresh_from_db()
    if not name.strip():
        raise ValidationError({"name": _("Nhập tên mới.")})
    current = name_on(organization, datetime.date.max)
    if current and on <= current.valid_from:
        raise ValidationError(
            {"on": _("Ngày đổi tên phải sau ngày {day:%d/%m/%Y} của lần đổi trước.").format(day=current.valid_from)}
        )
    organization.name = name.strip()
    if place_name is not None:
        organization.place_name = place_name
    organization.save(update_fields=["name", "place_name"])
    _open_name(organization, on)
    for child in Organization.objects.get_children(organization):
        _reparent_name(child, on, organization.name)  # their printed parent name changes too
    return organization


def _reparent_name(child: Organization, on: datetime.date, parent_name: str) -> None:
    """From ``on``, the child's records print ``parent_name``: records starting on or after ``on`` are updated, the
    one running across ``on`` is split. Nothing is opened before the child existed."""
    OrganizationName.objects.filter(organization=child, valid_from__gte=on).update(parent_name=parent_name)
    running = (
        OrganizationName.objects.filter(organization=child, valid_from__lt=on)
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=on))
        .first()
    )
    if running is None or running.parent_name == parent_name:
        return
    OrganizationName.objects.create(
        organization=child,
        name=running.name,
        place_name=running.place_name,
        parent_name=parent_name,
        valid_from=on,
        valid_to=running.valid_to,
    )
    running.valid_to = on
    running.save(update_fields=["valid_to"])


@transaction.atomic
def organization_move(*, organization: Organization, new_parent: Organization, on: datetime.date) -> Organization:
    """Re-parent a whole subtree from ``on``. Its meetings stay with it; its name records before ``on`` keep the old
    parent's name, so minutes dated earlier still print "ĐẢNG BỘ {old parent}"."""
    if new_parent.pk == organization.pk or new_parent.path.startswith(organization.path):
        raise ValidationError(
            {"new_parent": _("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức cấp dưới của nó.")}
        )
    if new_parent.is_cell and organization.kind != Organization.Kind.PARTY_GROUP:
        raise ValidationError({"new_parent": _("Dưới chi bộ chỉ có tổ đảng.")})
    current = name_on(organization, datetime.date.max)
    if current and on <= current.valid_from:
        raise ValidationError(
            {"on": _("Ngày chuyển phải sau ngày {day:%d/%m/%Y} của thay đổi trước.").format(day=current.valid_from)}
        )
    # Both chains locked first, root first, as reports.rollups locks them: the move and a refresh of the sums under
    # either chain wait for each other instead of deadlocking. (Paths read again under the lock: a move may have
    # committed since the caller loaded these nodes.)
    locked: set[str] = set()
    while True:
        chains = {ancestor for node in (organization, new_parent) for ancestor in node.ancestor_paths(itself=True)}
        if chains <= locked:
            break
        Organization.objects.lock_paths(chains - locked)
        locked |= chains
        organization.refresh_from_db()
        new_parent.refresh_from_db()
    old_path = organization.path
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization.refresh_from_db()
    organization_moved.send(
        sender=Organization, organization=organization, old_path=old_path, new_path=organization.path
    )
    _open_name(organization, on)
    return organization


@transaction.atomic
def organization_merge(*, sources: list[Organization], target: Organization, on: datetime.date) -> Organization:
    """Merge ``sources`` into ``target`` from ``on`` (e.g. communes merged on 1 July 2025): the sources' children
    move under the target, the sources end the day before, and the target records where it came from."""
    for node in (*sources, target):
        node.refresh_from_db()  # paths shift when siblings are added: never trust ones loaded earlier
    for source in sources:
        if source.pk == target.pk or target.path.startswith(source.path):
            raise ValidationError({"target": _("Tổ chức nhận hợp nhất không được nằm trong tổ chức bị hợp nhất.")})
    for source in sources:
        for child in list(Organization.objects.get_children(source)):
            organization_move(organization=child, new_parent=target, on=on)
        source.refresh_from_db()
        source.valid_to = on
        source.save(update_fields=["valid_to"])
        OrganizationName.objects.filter(organization=source, valid_to__isnull=True, valid_from__lt=on).update(
            valid_to=on
        )
    target.formed_from.add(*sources)
    return target
