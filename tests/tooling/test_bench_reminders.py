"""The mail benchmark's counting: messages written by the file backend are read back per outbox row, so that a
message sent twice is a duplicate and a row with none is lost."""

from django.core.mail.backends.filebased import EmailBackend

from meetings.models import OutboxMessage
from meetings.outbox import build_email
from tooling.bench_reminders import read_mail


def test_the_mail_folder_is_counted_per_outbox_row(tmp_path, db):
    rows = [
        OutboxMessage.objects.create(
            key=f"agenda:{n}", kind="agenda", to_email=f"dv{n}@example.vn", subject="Thông báo", body_text="Nội dung"
        )
        for n in range(3)
    ]
    EmailBackend(file_path=str(tmp_path)).send_messages([build_email(rows[0]), build_email(rows[1])])
    EmailBackend(file_path=str(tmp_path)).send_messages([build_email(rows[1])])  # a second worker, the same row
    counts = read_mail(tmp_path)
    assert counts == {rows[0].pk: 1, rows[1].pk: 2}
    assert rows[2].pk not in counts
