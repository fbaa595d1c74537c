import threading

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from cells.models import Organization, Policy
        from cells.signals import organization_moved
        from reports import reminders  # noqa: F401  (registers the absences and digest reminders)

        organization_moved.connect(_follow_move, dispatch_uid="reports.follow_move")
        post_delete.connect(_forget_deleted, sender=Organization, dispatch_uid="reports.forget_deleted")
        pre_save.connect(_policy_before_save, sender=Policy, dispatch_uid="reports.policy_before_save")
        post_save.connect(_policy_saved, sender=Policy, dispatch_uid="reports.policy_saved")
        post_delete.connect(_policy_deleted, sender=Policy, dispatch_uid="reports.policy_deleted")


def _follow_move(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    """A subtree changed parent (``cells.services.organization_move``): its stored findings and sums follow it."""
    from reports import rollups

    rollups.moved(old_path, new_path)


_deleted = threading.local()


def _forget_deleted(sender, instance, **kwargs) -> None:
    """An organization was deleted (the admin; a subtree sends one signal per node): once committed, its ancestors'
    sums are computed again, once for the whole deletion."""
    pending = getattr(_deleted, "paths", None)
    if pending is None:
        pending = _deleted.paths = set()
    pending.add(instance.path)
    transaction.on_commit(_flush_deleted)


def _flush_deleted() -> None:
    from reports import rollups

    paths, _deleted.paths = getattr(_deleted, "paths", set()), set()
    rollups.forget(paths)


def _policy_before_save(sender, instance, **kwargs) -> None:
    """Remember where and from when a changed policy applied: that subtree too is recomputed, from the earlier date."""
    before = (
        sender.objects.filter(pk=instance.pk).values_list("organization_id", "valid_from").first()
        if instance.pk
        else None
    )
    instance._applied_before = before


def _policy_saved(sender, instance, **kwargs) -> None:
    from reports.refresh import policy_changed

    before = getattr(instance, "_applied_before", None)
    if before is None:
        instance.refresh_asked = policy_changed(instance.organization_id, instance.valid_from)
        return
    organization_id, valid_from = before
    if organization_id == instance.organization_id:
        instance.refresh_asked = policy_changed(instance.organization_id, min(valid_from, instance.valid_from))
    else:  # moved to another organization (the admin): both subtrees
        policy_changed(organization_id, valid_from)
        instance.refresh_asked = policy_changed(instance.organization_id, instance.valid_from)


def _policy_deleted(sender, instance, **kwargs) -> None:
    """A policy deleted (the admin; an organization with policies cannot be deleted): its subtree goes back to the
    rules above it."""
    from reports.refresh import policy_changed

    policy_changed(instance.organization_id, instance.valid_from)
