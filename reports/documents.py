"""The meeting's documents as issued: the minutes and the resolution rendered once when approved (and at each
correction), stored with their SHA-256, and served from the stored file from then on.

``meetings.services.documents_issue`` writes a pending row (``OfficialDocument``) in the transaction of the approval
or correction; ``store`` renders its file right after the commit (the task ``reports.store_documents``), or at the
first download if the task has not run, or in the nightly sweep. A stored row never changes.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from meetings import services
from meetings.minutes import minutes_context, resolution_context
from meetings.models import Meeting, OfficialDocument
from reports.pdf import render_pdf

Kind = OfficialDocument.Kind
TEMPLATES = {
    Kind.MINUTES: ("pdf/minutes.html", minutes_context),
    Kind.RESOLUTION: ("pdf/resolution.html", resolution_context),
}


def render_document(meeting: Meeting, kind: str) -> bytes:
    """The document of ``kind`` as the meeting stands now (a draft carries the "DỰ THẢO" mark)."""
    with translation.override("vi"):  # an official document: Vietnamese whatever the reader's language
        template, context = TEMPLATES[kind]
        return render_pdf(template, context(meeting))


def document_filename(meeting: Meeting, kind: str, version: int | None = None) -> str:
    """One name per meeting and document, readable in a downloads folder: the organization, the day, the time and
    the kind in Vietnamese without accents, then the meeting's number in the app, so that two meetings of one cell on
    one day (a regular and an extraordinary one, even at the same hour) never share a name, and the stored version:
    ``bien-ban-A-20261104-1400-sinh-hoat-dinh-ky-57-ban-2.pdf``."""
    with translation.override("vi"):
        meeting_kind = slugify(str(meeting.get_kind_display()).replace("đ", "d").replace("Đ", "D"))
    prefix = "bien-ban" if kind == Kind.MINUTES else "nghi-quyet"
    suffix = f"-ban-{version}" if version else ""
    return (
        f"{prefix}-{meeting.organization.code}-{meeting.planned_date:%Y%m%d}-{meeting.planned_time:%H%M}"
        f"-{meeting_kind}-{meeting.pk}{suffix}.pdf"
    )


def store(document_id: int) -> OfficialDocument | None:
    """Render and store the file of a pending document; a stored one is returned as it is (safe to run twice). The
    meeting's row is locked while rendering: a correction waits, then issues a new version, so that no change is
    left out of the stored files."""
    with transaction.atomic():
        meeting_id = OfficialDocument.objects.filter(pk=document_id).values_list("meeting_id", flat=True).first()
        if meeting_id is None:
            return None
        meeting = Meeting.objects.select_for_update(of=("self",)).select_related("organization", "chair", "recorder")
        meeting = meeting.get(pk=meeting_id)
        document = OfficialDocument.objects.select_for_update().get(pk=document_id)
        if document.is_stored:
            return document
        pdf = render_document(meeting, document.kind)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.size = len(pdf)
        document.stored_at = timezone.now()
        document.file.save(document_filename(meeting, document.kind, document.version), ContentFile(pdf), save=False)
        document.save(update_fields=["file", "sha256", "size", "stored_at"])
        return document


def store_pending(ids: list[int] | None = None) -> int:
    """Store the documents ``ids`` (the task after an approval or correction), or every one still pending (the
    sweep). Returns how many were stored."""
    pending = OfficialDocument.objects.filter(stored_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    return sum(store(pk) is not None for pk in pending.order_by("pk").values_list("pk", flat=True))


def issued(meeting: Meeting, kind: str) -> OfficialDocument | None:
    """The latest version of the approved meeting's document of ``kind``, stored (now, if it was still pending).
    Minutes approved before documents were stored get their first version at their first download. ``None``: no
    such document (not approved; no resolution adopted)."""
    if meeting.status != Meeting.Status.APPROVED:
        return None
    if kind == Kind.RESOLUTION and meeting.resolution_number is None:
        return None
    document = OfficialDocument.objects.filter(meeting=meeting, kind=kind).order_by("-version").first()
    if document is None:
        try:
            with transaction.atomic():
                services.documents_issue(meeting=meeting, reason="")
        except IntegrityError:  # another first download wrote it at the same moment
            pass
        document = OfficialDocument.objects.filter(meeting=meeting, kind=kind).order_by("-version").first()
    if document is not None and not document.is_stored:
        document = store(document.pk)
    return document


def read_stored(document: OfficialDocument) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()
