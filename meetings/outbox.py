"""Meeting e-mails through the outbox: a row per recipient first, then a send by a task that claims the row.

What a copy says comes from ``meetings.wording`` and ``meetings.calendar``; who gets one from ``meetings.recipients``.

- ``queue_meeting_mail`` (called by the meeting services inside their transaction) writes one ``OutboxMessage`` per
  recipient with a unique key, and enqueues the sends once the transaction commits.
- ``outbox_send`` (the task ``meetings.send_outbox_message``) claims a row with a conditional UPDATE, so a task
  delivered twice sends one mail; it retries transient errors with a bounded backoff and gives up on permanent ones.
- ``outbox_sweep`` (the task ``meetings.sweep_outbox``, every minute) enqueues rows that are due and rescues rows
  stuck in "sending": nothing is lost when the broker or the worker is down.

While a row is "sending", ``next_attempt_at`` holds the end of the sender's lease (claim time + 15 minutes): the
sweeper puts a row whose lease has run out back in the queue.
"""

import datetime
import hashlib
import logging
import smtplib
from email import policy as mail_policy
from email.header import Header
from email.message import MIMEPart
from email.utils import parseaddr
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q, QuerySet, prefetch_related_objects
from django.utils import timezone, translation

from meetings.calendar import ics_method, meeting_ics, sender
from meetings.models import Meeting, OutboxMessage
from meetings.recipients import meeting_recipients
from meetings.reminders import still_due
from meetings.wording import meeting_mail_context, render_meeting_mail
from members.models import Member

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

MEETING_KINDS = ("agenda", "update", "cancel")
# A transient error is retried after 1, 5 and 30 minutes, then 2 and 6 hours; the sixth failure is final.
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 30, 120, 360)
# A sender that has held a row this long has died: the sweeper gives the row back to the queue.
SENDING_LEASE = datetime.timedelta(minutes=15)
# The last error of a row whose sender's lease ran out (the sweeper put it back in the queue, or failed it).
LEASE_EXPIRED = "Timeout"
# A new row's send is enqueued when its transaction commits; the sweeper leaves it that long before stepping in.
FRESH_GRACE = datetime.timedelta(minutes=1)
SWEEP_BATCH = 500
# The Celery task that sends one row (``meetings.tasks``): enqueued by name, so this module needs no task object.
SEND_TASK = "meetings.send_outbox_message"


# --- Writing the rows -------------------------------------------------------------------------------------------------


def messages_within(organization) -> "QuerySet[OutboxMessage]":
    """The outbox rows of ``organization``'s subtree: a meeting's mail by its meeting's organization, a reminder by
    its own."""
    return OutboxMessage.objects.filter(
        Q(organization__path__startswith=organization.path)
        | Q(organization__isnull=True, meeting__organization__path__startswith=organization.path)
    )


def outbox_key(kind: str, meeting: Meeting, email: str) -> str:
    """Unique per (kind, meeting, calendar sequence, recipient): the same publish twice writes no second row."""
    key = f"{kind}:{meeting.pk}:{meeting.sequence}:{email.lower()}"
    if len(key) > OutboxMessage._meta.get_field("key").max_length:
        key = f"{kind}:{meeting.pk}:{meeting.sequence}:{hashlib.sha256(email.lower().encode()).hexdigest()}"
    return key


def queue_meeting_mail(meeting: Meeting, *, kind: str) -> list[Member]:
    """Queue one outbox row per recipient of ``meeting``'s ``kind`` e-mail (agenda, update, cancel) and enqueue the
    sends when the transaction commits. Safe to call twice: existing rows are kept, none is added twice.

    Returns the roster members without an e-mail address (to be told on paper), in roster order."""
    if kind not in MEETING_KINDS:
        raise ValueError(f"unknown meeting mail kind {kind!r}")
    recipients = meeting_recipients(meeting)
    keys = {outbox_key(kind, meeting, recipient.email): recipient for recipient in recipients.by_email}
    existing = set(OutboxMessage.objects.filter(key__in=list(keys)).values_list("key", flat=True))
    missing = {key: recipient for key, recipient in keys.items() if key not in existing}
    if missing:
        prefetch_related_objects([meeting], "agenda", "materials")
        method = ics_method(kind)
        stamp = timezone.now()
        rows = []
        # Each copy in its recipient's language (``Member.language``), whatever language the secretary who
        # published is browsing in; the shared part is rendered once per language.
        contexts: dict[str, dict] = {}
        for key, recipient in missing.items():
            language = recipient.member.language or settings.LANGUAGE_CODE
            with translation.override(language):
                if language not in contexts:
                    contexts[language] = meeting_mail_context(meeting, kind=kind)
                subject, text, html = render_meeting_mail(contexts[language], recipient)
                attendee = (recipient.member.full_name, recipient.email)
                rows.append(
                    OutboxMessage(
                        key=key,
                        kind=kind,
                        meeting=meeting,
                        member=recipient.member,
                        to_email=recipient.email,
                        subject=subject[:300],
                        body_text=text,
                        body_html=html,
                        ics=meeting_ics(meeting, method=method, attendee=attendee, now=stamp),
                        ics_method=method,
                    )
                )
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    queued = list(OutboxMessage.objects.filter(key__in=list(keys), status=Status.QUEUED).values_list("pk", flat=True))
    transaction.on_commit(partial(enqueue_sends, queued))
    return recipients.roster_without_email


# --- Sending ----------------------------------------------------------------------------------------------------------


def enqueue_sends(message_ids: list[int]) -> int:
    """Hand the sends to the broker, in order; returns how many were handed over.

    When the broker is down the rows stay queued and the sweeper sends them later, so the error is logged (no personal
    data) and swallowed: the caller's transaction has already committed. Each hand-over is tried once (Celery's
    default publish retries took ~1.75 s a message with Redis down: 30 s and a 500 for a cell of 17), and the first
    failure stops the loop: the broker that refused one message would refuse the next.
    """
    for done, message_id in enumerate(message_ids):
        try:
            current_app.send_task(SEND_TASK, args=[message_id], ignore_result=True, retry=False)
        except Exception as error:  # kombu.OperationalError, redis.ConnectionError, OSError …: any broker failure
            logger.warning(
                "outbox: could not enqueue %s message(s) from %s on (%s); the sweeper will retry",
                len(message_ids) - done,
                message_id,
                type(error).__name__,
            )
            return done
    return len(message_ids)


# Longest header line RFC 5322 (2.1.1) asks for.
HEADER_LINE = 78


def encoded_header(name: str, text: str, *, then: str = "") -> str:
    """``text`` as encoded-words only (RFC 2047), folded to lines of at most 78 characters, then ``then`` as it is
    (the ``<address>`` of a From)."""
    value = Header(text, "utf-8", header_name=name).encode()
    if then:
        lines = value.split("\n")
        last = len(lines[-1]) + (len(name) + 2 if len(lines) == 1 else 0)
        value += (" " if last + 1 + len(then) <= HEADER_LINE else "\n ") + then
    return value


class MeetingEmail(EmailMultiAlternatives):
    """An e-mail whose non-ASCII subject and sender's name are written as encoded-words only (RFC 2047).

    Python's own header folder (3.12, 3.13) writes the space before a word twice when it ends a line on a plain ASCII
    word and begins the next with an encoded one ("… cơ quan" / " Ủy ban …"): decoded, the subject read "cơ quan  Ủy
    ban", and a cell's long name in From the same. Encoded-words only, every space is inside one of them and the folds
    between them mean nothing to a mail client. A policy that may send UTF-8 headers as they are (``utf8``) gets them
    as they are."""

    def message(self, *, policy=mail_policy.default):
        message = super().message(policy=policy)
        if policy.utf8:
            return message
        subject = str(self.subject)
        if not subject.isascii():
            del message["Subject"]
            message.set_raw("Subject", encoded_header("Subject", subject))
        name, address = parseaddr(str(self.from_email))
        if name and not name.isascii() and address.isascii():
            del message["From"]
            message.set_raw("From", encoded_header("From", name, then=f"<{address}>"))
        return message


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The e-mail of an outbox row: text, an HTML alternative, and the calendar invite as ``invite.ics``; from the
    site's sending address under the name of the meeting's organization, the organizer of the invite."""
    email = MeetingEmail(
        subject=message.subject,
        body=message.body_text,
        from_email=sender(message.meeting) if message.meeting_id else None,
        to=[message.to_email],
        # The row's id: a message delivered twice (SMTP accepted, the worker died before marking the row) is told
        # apart from two messages; the mail benchmark counts duplicates by it.
        headers={"Auto-Submitted": "auto-generated", "X-Chibo-Outbox": str(message.pk)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.ics:
        # As bytes in base64: a text part would have its CRLF line ends (which RFC 5545 requires) rewritten.
        part = MIMEPart()
        part.set_content(
            message.ics.encode(),
            maintype="text",
            subtype="calendar",
            cte="base64",
            disposition="attachment",
            filename="invite.ics",
            params={"method": message.ics_method or "REQUEST", "charset": "UTF-8"},
        )
        email.attach(part)
    return email


def describe_error(error: BaseException) -> tuple[bool, str]:
    """(transient?, description). The description is the class name and the SMTP code or errno, never the server's
    text, which may quote addresses."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _reply in error.recipients.values()})
        transient = bool(codes) and all(400 <= code < 500 for code in codes)
        return transient, f"{name} {','.join(str(code) for code in codes)}".strip()
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError):
        # The server or our credentials, not this message: retried (bounded) so that a fixed setting sends it.
        return True, f"{name} {error.smtp_code}"
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500, f"{name} {error.smtp_code}"
    if isinstance(error, OSError):  # SMTPServerDisconnected, ConnectionError, TimeoutError, socket errors
        return True, f"{name} {error.errno}" if error.errno else name
    return False, name


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def outbox_send(
    *, message_id: int, now: datetime.datetime | None = None, connection: BaseEmailBackend | None = None
) -> str:
    """Send one outbox row if this call wins the claim. Returns "sent", "retry", "failed", "skipped", or for a reminder
    whose reason is gone or whose cutoff has passed "dropped" or "missed".

    The task passes neither ``now`` nor ``connection`` (the clock, ``mailers.default``); the demo replays past mornings
    with them (``tooling.demo_reminders``), through this same code."""
    at = now  # a replay's instant; without one, each stamp reads the clock
    now = at or timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.select_related("meeting__organization").get(pk=message_id)
    mine = OutboxMessage.objects.filter(pk=message.pk, attempts=message.attempts)
    # A reminder is sent only while its reason holds and before its cutoff: otherwise it is dropped or missed.
    verdict = still_due(message, now)
    if verdict:
        mine.filter(status=Status.SENDING).update(status=verdict, next_attempt_at=None)
        logger.info("outbox message %s: %s, not sent", message.pk, verdict)
        return str(verdict)
    try:
        (connection or mailers.default).send_messages([build_email(message)])
    except Exception as error:
        transient, description = describe_error(error)
        if transient and message.attempts < MAX_ATTEMPTS:
            delay = _backoff(message.attempts)
            mine.filter(status=Status.SENDING).update(
                status=Status.QUEUED, next_attempt_at=(at or timezone.now()) + delay, last_error=description[:500]
            )
            logger.warning(
                "outbox message %s: %s on attempt %s of %s; retry in %s min",
                message.pk,
                description,
                message.attempts,
                MAX_ATTEMPTS,
                int(delay.total_seconds() // 60),
            )
            return "retry"
        mine.filter(status=Status.SENDING).update(status=Status.FAILED, next_attempt_at=None, last_error=description)
        logger.error("outbox message %s: %s on attempt %s; not retried", message.pk, description, message.attempts)
        return "failed"
    # Also when the sweeper thought this sender dead meanwhile (its lease ran out): the row back in the queue, or failed
    # if this was its last attempt. It was sent: say so.
    mine.filter(
        Q(status__in=[Status.SENDING, Status.QUEUED]) | Q(status=Status.FAILED, last_error=LEASE_EXPIRED)
    ).update(status=Status.SENT, sent_at=at or timezone.now(), next_attempt_at=None)
    return "sent"


def outbox_sweep(*, now: datetime.datetime | None = None) -> int:
    """Rescue rows stuck in "sending" past their lease, then enqueue the queued rows that are due (retries whose time
    has come, and new rows whose enqueue on commit was lost). Returns the number enqueued."""
    now = now or timezone.now()
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, next_attempt_at__lte=now)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, next_attempt_at=None, last_error=LEASE_EXPIRED
    )
    rescued = stuck.update(status=Status.QUEUED, next_attempt_at=now, last_error=LEASE_EXPIRED)
    if rescued:
        logger.warning("outbox: %s message(s) stuck in sending put back in the queue", rescued)
    due = list(
        OutboxMessage.objects.filter(status=Status.QUEUED)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - FRESH_GRACE))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return enqueue_sends(due)
