"""The documents benchmark (``manage.py bench_documents``, part of ``make bench``): the official minutes and the
compliance report as PDF, through the whole Django stack.

1. Minutes: a generated cell of 20 members (``tooling.bench_data.generate``, code ``BENCHDOC``), all present at last
   month's regular meeting, which is given the order of business and 10 speeches by 10 members, one per agenda item
   and the rest on the last; the meeting stays "held" (a draft), so that every request renders it. Its minutes PDF
   (``reports:minutes_pdf``: ``reports.views`` → ``meetings.minutes.minutes_context`` → ``reports.pdf.render_pdf``,
   whatever they become) is requested ``runs`` times, interleaved with a one-page plain WeasyPrint document
   (``pdf/sample_minutes.html`` through the same ``render_pdf``: the same fonts and fetcher) rendered in the same run,
   so that both see the same machine load. The queries of one minutes request are counted.
2. Compliance report: the province dashboard's report PDF (``reports:dashboard_pdf``) for a calendar year of the
   ``BENCH`` province of ``report_cells`` cells, the one ``bench_compliance`` leaves (generated with its findings
   when it is missing or of another size). Its queries are counted, and those of the report of one of its communes:
   the count does not depend on the number of cells.

Results go to ``var/bench/documents.json``: ``minutes_ms_median``, ``plain_ms_median``, ``ratio_minutes_to_plain``,
``minutes_queries``, ``report_ms_median``, ``report_queries`` and the figures around them.
"""

import datetime
import json
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from cells.models import Organization, OrganizationName
from meetings.agenda import default_agenda
from meetings.models import AgendaItem, Attendance, Meeting, Speech
from members.models import Member, Membership, Position, StatusChange
from reports.compliance import compute_month
from reports.models import CellMonth, Rollup
from reports.pdf import render_pdf
from tooling.bench_data import Profile, analyze, generate

Log = Callable[[str], None]

MINUTES_CODE = "BENCHDOC"
REPORT_CODE = "BENCH"
ATTENDEES = 20
SPEAKERS = 10
# Everyone official and present, nobody missing a meeting: 20 attendees.
MINUTES_PROFILE = Profile(official=1.0, probationary=0.0, present=1.0, excused=0.0, missing=0.0)

REQUIRED_KEYS = (
    "minutes_ms_median",
    "plain_ms_median",
    "ratio_minutes_to_plain",
    "minutes_queries",
    "report_ms_median",
    "report_queries",
)


def _quiet(_line: str) -> None:
    pass


def build_minutes_meeting(log: Log, *, attendees: int = ATTENDEES, speakers: int = SPEAKERS) -> Meeting:
    """A held (not yet approved) regular meeting of a fresh cell of ``attendees`` members, all present, with the
    order of business and ``speakers`` speeches by as many members, a conclusion on each item."""
    generate(
        cells=1,
        members_per_cell=attendees,
        months=1,
        code=MINUTES_CODE,
        reset=True,
        profile=MINUTES_PROFILE,
        log=_quiet,
    )
    root = Organization.objects.get(code=MINUTES_CODE)
    meeting = (
        Meeting.objects.filter(organization__path__startswith=root.path, kind=Meeting.Kind.REGULAR)
        .order_by("-planned_date")
        .first()
    )
    present = list(
        Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT)
        .order_by("member__sort_key")
        .values_list("member_id", flat=True)
    )
    with transaction.atomic():
        Speech.objects.filter(meeting=meeting).delete()
        AgendaItem.objects.filter(meeting=meeting).delete()
        items = AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                order=order,
                title=title,
                details=details,
                conclusion="Chi bộ thống nhất với nội dung đã trình bày; giao chi ủy theo dõi, đôn đốc thực hiện.",
            )
            for order, (title, details) in enumerate(default_agenda(meeting.kind), start=1)
        )
        Speech.objects.bulk_create(
            Speech(
                meeting=meeting,
                order=order,
                member_id=member_id,
                agenda_item=items[min(order - 1, len(items) - 1)],
                summary="Đồng ý với báo cáo; đề nghị chi bộ phân công cụ thể từng đảng viên phụ trách hộ gia đình, "
                "theo dõi việc thực hiện và báo cáo kết quả tại buổi sinh hoạt tháng sau.",
            )
            for order, member_id in enumerate(present[:speakers], start=1)
        )
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, approved_at=None)
    meeting.refresh_from_db()
    log(f"minutes: meeting {meeting.pk} of {meeting.planned_date}, {len(present)} present, {speakers} speeches")
    return meeting


def report_province(cells: int, members_per_cell: int, months: int, log: Log) -> Organization:
    """The ``BENCH`` province of ``cells`` cells with its stored findings: the one ``bench_compliance`` left, else a
    new one (generated, its findings computed, the tables analysed)."""
    root = Organization.objects.filter(code=REPORT_CODE, depth=1).first()
    if root is not None:
        existing = Organization.objects.cells().filter(path__startswith=root.path).count()
        if existing == cells and CellMonth.objects.filter(path__startswith=root.path).exists():
            log(f"report: the {REPORT_CODE} province of {cells:,} cells is there, with its findings")
            return root
    started = time.perf_counter()
    generated = generate(
        cells=cells, members_per_cell=members_per_cell, months=months, code=REPORT_CODE, reset=True, log=log
    )
    for month in generated.months:
        compute_month(datetime.date.fromisoformat(month))
    analyze(
        [Organization, OrganizationName, Member, Membership, StatusChange, Position, Meeting, Attendance, Speech]
        + [CellMonth, Rollup]
    )
    log(f"report: generated {cells:,} cells with their findings ({time.perf_counter() - started:.1f} s)")
    return Organization.objects.get(pk=generated.root_id)


def report_year(root: Organization) -> int:
    """The latest calendar year the province's findings cover in full, else the year of its last month."""
    months = set(
        CellMonth.objects.filter(path__startswith=root.path).order_by().values_list("month", flat=True).distinct()
    )
    for year in sorted({month.year for month in months}, reverse=True):
        if all(datetime.date(year, n, 1) in months for n in range(1, 13)):
            return year
    return max(months).year


def _client() -> Client:
    user, _created = get_user_model().objects.get_or_create(
        username="bench.admin", defaults={"is_superuser": True, "is_staff": True}
    )
    if not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> bytes:
    response = client.get(url, secure=True)
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        raise RuntimeError(f"GET {url} answered {response.status_code} {response['Content-Type']}")
    return response.content


def _counted(client: Client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        content = _get(client, url)
    return len(queries.captured_queries), content


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _plain() -> bytes:
    """A one-page document through the same renderer, fonts and fetcher as the minutes."""
    return render_pdf(
        "pdf/sample_minutes.html",
        {
            "title": "Biên bản",
            "parent_name": "Đảng bộ xã Thử nghiệm",
            "cell_name": "Chi bộ thử nghiệm",
            "place_date": "Thử nghiệm, ngày 04 tháng 12 năm 2026",
            "lines": ["Nội dung một trang."],
            "recorder": "Nguyễn Văn A",
            "chair": "Trần Thị B",
        },
    )


def _pages(pdf: bytes) -> int | None:
    """The number of pages (poppler's ``pdfinfo``, which ``make test`` installs); ``None`` without it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        try:
            info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    return next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def run(
    *,
    runs: int,
    report_runs: int,
    report_cells: int,
    members_per_cell: int,
    months: int,
    output: str,
    log: Log,
) -> dict:
    meeting = build_minutes_meeting(log)
    root = report_province(report_cells, members_per_cell, months, log)
    year = report_year(root)
    commune = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path").first()
    minutes_url = reverse("reports:minutes_pdf", args=[meeting.pk])
    report_url = reverse("reports:dashboard_pdf", args=[root.pk]) + f"?ky=nam-{year}"
    commune_url = reverse("reports:dashboard_pdf", args=[commune.pk]) + f"?ky=nam-{year}"
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        client = _client()
        # Warm-up: templates, fonts and the first connection are not what is measured.
        _get(client, minutes_url)
        _plain()
        minutes_samples, plain_samples = [], []
        for _ in range(runs):  # interleaved, so that both see the same load
            started = time.perf_counter()
            minutes_pdf = _get(client, minutes_url)
            minutes_samples.append(_ms(started))
            started = time.perf_counter()
            plain_pdf = _plain()
            plain_samples.append(_ms(started))
        minutes_queries, _content = _counted(client, minutes_url)
        log(f"minutes: median {statistics.median(minutes_samples):.0f} ms, {minutes_queries} queries")

        report_queries, report_pdf = _counted(client, report_url)  # also the warm-up
        commune_queries, _content = _counted(client, commune_url)
        report_samples = []
        for _ in range(report_runs):
            started = time.perf_counter()
            _get(client, report_url)
            report_samples.append(_ms(started))
        log(f"report: median {statistics.median(report_samples):.0f} ms, {report_queries} queries")
    minutes_ms = statistics.median(minutes_samples)
    plain_ms = statistics.median(plain_samples)
    result = {
        "minutes_ms_median": round(minutes_ms, 1),
        "plain_ms_median": round(plain_ms, 1),
        "ratio_minutes_to_plain": round(minutes_ms / plain_ms, 2),
        "minutes_queries": minutes_queries,
        "minutes_attendees": Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT).count(),
        "minutes_speeches": Speech.objects.filter(meeting=meeting).count(),
        "minutes_pages": _pages(minutes_pdf),
        "plain_pages": _pages(plain_pdf),
        "minutes_ms_samples": [round(value, 1) for value in minutes_samples],
        "plain_ms_samples": [round(value, 1) for value in plain_samples],
        "report_ms_median": round(statistics.median(report_samples), 1),
        "report_queries": report_queries,
        "report_queries_commune": commune_queries,
        "report_queries_constant": report_queries == commune_queries,
        "report_cells": Organization.objects.cells().filter(path__startswith=root.path).count(),
        "report_commune_cells": Organization.objects.cells().filter(path__startswith=commune.path).count(),
        "report_year": year,
        "report_pages": _pages(report_pdf),
        "report_bytes": len(report_pdf),
        "runs": runs,
        "report_runs": report_runs,
        "database": connection.vendor,
        "python": platform.python_version(),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result
