"""Celery tasks of meetings. Each takes ids, calls one function of ``meetings.emails`` and is safe to run twice."""

from celery import shared_task

from meetings import emails


@shared_task(name="meetings.send_outbox_message", ignore_result=True)
def send_outbox_message(message_id: int) -> str:
    """Send one outbox row, if this delivery wins the claim (a task delivered twice sends one mail)."""
    return emails.outbox_send(message_id=message_id)


@shared_task(name="meetings.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Every minute (beat): enqueue the queued rows that are due and rescue rows stuck in "sending"."""
    return emails.outbox_sweep()
