"""Celery tasks of meetings. Each takes ids, calls one function of ``meetings.outbox`` and is safe to run twice.

The outbox enqueues ``send_outbox_message`` by its name (``outbox.SEND_TASK``): this module imports the outbox, never
the reverse.
"""

from celery import shared_task

from meetings import outbox, reminders


@shared_task(name=outbox.SEND_TASK, ignore_result=True)
def send_outbox_message(message_id: int) -> str:
    """Send one outbox row, if this delivery wins the claim (a task delivered twice sends one mail)."""
    return outbox.outbox_send(message_id=message_id)


@shared_task(name="meetings.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Every minute (beat): enqueue the queued rows that are due and rescue rows stuck in "sending"."""
    return outbox.outbox_sweep()


@shared_task(name="meetings.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    """Every 15 minutes (beat): write the reminders due now as outbox rows and hand them to the senders. A beat that
    was down catches up on its next run; two beats write each reminder once (its key is unique)."""
    return outbox.enqueue_sends(reminders.reminders_sweep())
