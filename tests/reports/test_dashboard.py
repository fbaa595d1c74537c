"""The compliance dashboards: figures from hand-made ``CellMonth`` rows, drill-down links, filters, access, queries."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from meetings import services
from meetings.models import OutboxMessage
from reports import rollups
from reports.charts import nice_ceiling, trend_svg
from reports.dashboard import dashboard, median_of_counts
from reports.findings import reason
from reports.models import CellMonth, Result
from reports.periods import Period
from tests.factories import grant, make_cell, make_meeting, make_member, make_org

pytestmark = pytest.mark.django_db

PASS, FAIL, NA = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE
TODAY = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def finding(cell, month, **kwargs) -> CellMonth:
    """A stored cell-month (see ``build_finding``)."""
    row = build_finding(cell, month, **kwargs)
    CellMonth.objects.filter(cell=cell, month=month).delete()  # computed again: replaced
    row.save()
    rollups.refresh([(cell.pk, cell.path)], [month])  # as reports.compliance does with every row it stores
    return row


def build_finding(cell, month, *, fail=(), na=(), meeting=None, **values) -> CellMonth:
    """A cell-month as the compliance engine writes it: every rule passes unless named in ``fail`` or ``na``
    (thematic is not applicable unless named in ``fail`` or given as ``thematic=PASS``); a missed regular meeting
    leaves the meeting's figures empty."""
    held = "regular_held" not in fail and "regular_held" not in na
    data = {
        "length_minutes": 95 if held else None,
        "length_required": 90,
        "speakers_count": 5 if held else None,
        "speakers_required": 4,
        "attendance_present": 10 if held else 0,
        "attendance_expected": 12 if held else 0,
        "thematic_count": 0,
        "official_members": 12,
    }
    data.update({k: v for k, v in values.items() if k not in CellMonth.RULE_FIELDS})
    results = {rule: PASS for rule in CellMonth.RULE_FIELDS}
    results["thematic"] = values.get("thematic", NA)
    if not held:
        results.update({rule: NA for rule in ("length", "speakers", "attendance", "resolution", "agenda_on_time")})
        results["minutes_on_time"] = NA
    results.update({rule: FAIL for rule in fail})
    results.update({rule: NA for rule in na})
    measured = {
        "regular_held": (int(held), 1),
        "length": (data["length_minutes"], data["length_required"]),
        "speakers": (data["speakers_count"], data["speakers_required"]),
        "attendance": (data["attendance_present"], 7),
        "resolution": (8, 7),
        "agenda_on_time": (3, 1),
        "minutes_on_time": (2, 7),
        "thematic": (data["thematic_count"], 1),
        "cell_size": (data["official_members"], 3),
    }
    rules = {
        rule: {
            "result": results[rule],
            "measured": measured.get(rule, (None, None))[0],
            "required": measured.get(rule, (None, None))[1],
            "citation": "test",
        }
        for rule in CellMonth.RULE_FIELDS
    }
    return CellMonth(
        cell=cell,
        month=month,
        path=cell.path,
        cell_type=cell.cell_type,
        meeting=meeting,
        all_ok=FAIL not in results.values(),
        rules=rules,
        **results,
        **data,
    )


def months(year, first, last):
    return [datetime.date(year, m, 1) for m in range(first, last + 1)]


def url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("reports:dashboard", args=[org.pk]) + (f"?{query}" if query else "")


# --- the figures -----------------------------------------------------------------------------------------------------


def test_the_headline_figures_are_computed_from_the_stored_rows(world):
    cell_c = make_cell(world.commune, name="Chi bộ thôn 3", code="C3")
    q1 = Period("quarter", 2026, 1)
    # Cell A: three good months, the thematic meeting held in March.
    finding(world.cell_a, datetime.date(2026, 1, 1), length_minutes=90, speakers_count=4)
    finding(world.cell_a, datetime.date(2026, 2, 1), length_minutes=100, speakers_count=6)
    finding(world.cell_a, datetime.date(2026, 3, 1), length_minutes=120, speakers_count=8, thematic=PASS)
    # Cell C: a short meeting in January, no meeting in February, nothing due yet in March, no thematic.
    finding(
        cell_c,
        datetime.date(2026, 1, 1),
        fail=["length"],
        length_minutes=75,
        attendance_present=5,
        attendance_expected=10,
    )
    finding(cell_c, datetime.date(2026, 2, 1), fail=["regular_held"])
    finding(cell_c, datetime.date(2026, 3, 1), na=["regular_held"], fail=["thematic"])
    # Outside the period and outside the subtree: not counted.
    finding(world.cell_a, datetime.date(2026, 4, 1), fail=["length"])
    finding(world.cell_b, datetime.date(2026, 1, 1), fail=["length"])

    figures = dashboard(world.commune, q1).headline

    assert (figures.cells, figures.cells_ok, figures.cells_short) == (2, 1, 1)
    # Held: A×3 + C in January; due: those and C's missed February (March is not applicable for C).
    assert (figures.held, figures.due) == (4, 5)
    assert figures.median_length == 95.0  # 75, 90, 100, 120: the mean of the two middle values
    assert figures.median_speakers == 5.5  # 4, 5 (cell C), 6, 8
    # Σ present / Σ expected, not the mean of the monthly rates: (10 + 10 + 10 + 5) / (12 + 12 + 12 + 10).
    assert figures.present == 35 and figures.expected == 46
    assert figures.attendance_rate == pytest.approx(35 / 46)
    # Cell-quarters: A passed, C failed.
    assert (figures.thematic_pass, figures.thematic_decided) == (1, 2)


def test_a_month_not_yet_due_counts_neither_as_held_nor_as_due(world):
    finding(world.cell_a, datetime.date(2026, 11, 1), na=["regular_held"])

    figures = dashboard(world.commune, Period("month", 2026, 11)).headline

    # Nothing decided yet: the cell is pending, neither meeting every rule nor short of one.
    assert (figures.cells, figures.cells_ok, figures.cells_short, figures.cells_pending) == (1, 0, 0, 1)
    assert (figures.held, figures.due, figures.ok_rate) == (0, 0, None)
    assert figures.attendance_rate is None and figures.median_length is None and figures.thematic_rate is None


def test_the_thematic_quarter_passes_once_any_of_its_months_passes(world):
    finding(world.cell_a, datetime.date(2026, 4, 1))  # not decided yet
    finding(world.cell_a, datetime.date(2026, 5, 1), thematic=PASS, thematic_count=1)
    finding(world.cell_a, datetime.date(2026, 6, 1), thematic=PASS, thematic_count=1)
    finding(world.cell_a, datetime.date(2026, 9, 1), fail=["thematic"])

    figures = dashboard(world.commune, Period("year", 2026)).headline

    assert (figures.thematic_pass, figures.thematic_decided) == (1, 2)


def test_medians_match_percentile_cont():
    assert median_of_counts({}) is None
    assert median_of_counts({90: 1}) == 90
    assert median_of_counts({90: 2, 120: 1}) == 90
    assert median_of_counts({60: 1, 90: 1, 120: 1, 150: 1}) == 105
    assert median_of_counts({4: 3, 5: 1, 9: 2}) == 4.5


def test_children_figures_add_up_to_the_headline_and_link_to_their_dashboards(client, world):
    grant(world.board_user, world.province)
    finding(world.cell_a, datetime.date(2026, 3, 1))
    finding(world.cell_b, datetime.date(2026, 3, 1), fail=["speakers"], speakers_count=2)
    client.force_login(world.board_user)

    response = client.get(url(world.province, ky="nam-2026"))

    data = response.context["data"]
    rows = {row.organization.code: row.figures for row in data.children}
    assert (rows["C01"].cells, rows["C01"].cells_ok) == (1, 1)
    assert (rows["C02"].cells, rows["C02"].cells_ok) == (1, 0)
    assert data.headline.cells == 2 and data.headline.cells_ok == 1
    assert rows["C02"].median_speakers == 2
    html = response.content.decode()
    assert f'href="{reverse("reports:dashboard", args=[world.commune.pk])}?ky=nam-2026"' in html
    assert f'href="{reverse("reports:dashboard", args=[world.other_commune.pk])}?ky=nam-2026"' in html


def test_a_cells_dashboard_lists_its_months_with_links_to_the_meetings(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 3, 4))
    finding(world.cell_a, datetime.date(2026, 3, 1), meeting=meeting, fail=["length"], length_minutes=75)
    finding(world.cell_a, datetime.date(2026, 4, 1), fail=["regular_held"])
    client.force_login(world.secretary_user)

    response = client.get(url(world.cell_a, ky="nam-2026"))

    html = response.content.decode()
    meeting_url = reverse("meetings:detail", args=[meeting.pk])
    # Once, in the month's row: a cell's page has no heatmap strip nor shortfall list repeating its months. The link
    # carries the period, so that the meeting page leads back to the same report.
    assert html.count(f'href="{meeting_url}?ky=nam-2026"') == 1
    assert 'data-testid="months"' in html
    assert 'data-testid="heatmap"' not in html and 'id="short-heading"' not in html and "{#" not in html
    months_ = response.context["data"].months
    assert [(m.month.month, m.status, m.reasons) for m in months_] == [
        (3, FAIL, ["Thời lượng 75/90 phút"]),
        (4, FAIL, ["Không sinh hoạt định kỳ"]),
    ]
    assert "Thời lượng 75/90 phút" in html


def test_the_heatmap_colours_each_cell_month_and_names_the_failed_rules(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 2, 4))
    finding(world.cell_a, datetime.date(2026, 1, 1))
    finding(
        world.cell_a,
        datetime.date(2026, 2, 1),
        meeting=meeting,
        fail=["speakers", "length"],
        speakers_count=3,
        length_minutes=60,
    )
    finding(world.cell_a, datetime.date(2026, 3, 1), na=["regular_held"])
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="quy-2026-1"))

    heatmap = response.context["data"].heatmap
    assert heatmap.mode == "cells"
    (row,) = heatmap.rows
    assert [square.status for square in row.squares] == [PASS, FAIL, NA]
    failing = row.squares[1]
    assert "Thời lượng 60/90 phút" in failing.title and "Phát biểu 3/4 đảng viên" in failing.title
    assert failing.href == reverse("meetings:detail", args=[meeting.pk]) + "?ky=quy-2026-1"
    # Without a meeting the square opens the cell's dashboard.
    assert row.squares[0].href == reverse("reports:dashboard", args=[world.cell_a.pk]) + "?ky=quy-2026-1"
    html = response.content.decode()
    assert "Đạt mọi quy định" in html and "Chưa có số liệu" in html  # the legend


def test_above_sixty_cells_the_heatmap_rows_are_the_children_with_their_share(world):
    communes = [world.commune, world.other_commune]
    for n in range(61):
        cell = make_cell(communes[n % 2], code=f"H{n:02d}")
        finding(cell, datetime.date(2026, 5, 1), fail=["length"] if n % 2 else ())

    data = dashboard(world.province, Period("month", 2026, 5))

    assert data.heatmap.mode == "children"
    shares = {row.code: row.squares[0].share for row in data.heatmap.rows}
    assert shares["C01"] == 1.0  # even numbers (and cell A has no row)
    assert shares["C02"] == 0.0


def test_the_cells_that_fell_short_are_listed_worst_first_with_their_reasons(world):
    cell_c = make_cell(world.commune, name="Chi bộ thôn 3")
    finding(world.cell_a, datetime.date(2026, 1, 1), fail=["length"], length_minutes=75)
    finding(cell_c, datetime.date(2026, 1, 1), fail=["speakers"], speakers_count=2)
    finding(cell_c, datetime.date(2026, 2, 1), fail=["regular_held"])
    finding(cell_c, datetime.date(2026, 3, 1))

    data = dashboard(world.commune, Period("year", 2026))

    assert [(item.name, item.failing_months) for item in data.shortfalls] == [
        ("Chi bộ thôn 3", 2),
        ("Chi bộ cơ quan UBND xã", 1),
    ]
    assert [(month.month, reasons) for month, _meeting, reasons in data.shortfalls[0].months] == [
        (2, ["Không sinh hoạt định kỳ"]),
        (1, ["Phát biểu 2/4 đảng viên"]),
    ]
    assert (data.short_page, data.short_pages) == (1, 1)


def test_the_list_of_cells_that_fell_short_is_paged_keeping_the_period(client, world, monkeypatch):
    monkeypatch.setattr("reports.dashboard.SHORTFALL_LIMIT", 2)
    for n in range(5):
        cell = make_cell(world.commune, name=f"Chi bộ thôn {n + 1}")
        for month in months(2026, 1, 5 - n):  # thôn 1 fails 5 months, thôn 5 one
            finding(cell, month, fail=["length"])
    client.force_login(world.board_user)

    first = client.get(url(world.commune, ky="nam-2026"))
    second = client.get(url(world.commune, ky="nam-2026", trang=2))
    third = client.get(url(world.commune, ky="nam-2026", trang=3))

    first_page = first.context["data"]
    assert [item.name for item in first_page.shortfalls] == ["Chi bộ thôn 1", "Chi bộ thôn 2"]
    assert [item.name for item in second.context["data"].shortfalls] == ["Chi bộ thôn 3", "Chi bộ thôn 4"]
    assert [item.name for item in third.context["data"].shortfalls] == ["Chi bộ thôn 5"]
    html = first.content.decode()
    assert "xem đủ trong tệp Excel" not in html
    assert 'href="?ky=nam-2026&amp;trang=2#short"' in html  # the next page keeps the period
    assert "Trang 1/3" in html
    assert 'href="?ky=nam-2026#short"' in second.content.decode()  # back to the first page


def test_the_reasons_name_measured_and_required_values():
    assert reason("length", {"measured": 75, "required": 90}) == "Thời lượng 75/90 phút"
    assert reason("agenda_on_time", {"measured": None, "required": 1}) == "Không gửi chương trình"
    assert reason("minutes_on_time", {"measured": 12, "required": 7}) == "Duyệt biên bản sau 12 ngày (hạn 7 ngày)"
    assert reason("cell_size", {"measured": 2, "required": 3}) == "Đảng viên chính thức 2/3"
    assert reason("attendance", {"measured": 4, "required": 6}) == "Có mặt 4/6 đảng viên chính thức (cần quá nửa)"


def test_the_cell_type_filter_keeps_only_cells_of_that_type(client, world):
    residential = make_cell(world.commune, name="Chi bộ ấp 2", cell_type="residential")
    finding(world.cell_a, datetime.date(2026, 1, 1))  # agency
    finding(residential, datetime.date(2026, 1, 1), fail=["length"])
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="nam-2026", loai="residential"))

    data = response.context["data"]
    assert (data.headline.cells, data.headline.cells_short) == (1, 1)
    assert [row.organization.name for row in data.children] == ["Chi bộ ấp 2"]
    assert 'value="residential" selected' in response.content.decode()
    # The links keep the filter.
    assert data.children[0].href.endswith("?ky=nam-2026&loai=residential")


def test_the_trend_covers_the_twelve_months_ending_with_the_period(client, world):
    finding(world.cell_a, datetime.date(2025, 12, 1), attendance_present=6, attendance_expected=12)
    finding(world.cell_a, datetime.date(2026, 2, 1), fail=["regular_held"])
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="quy-2026-1"))

    trend = response.context["data"].trend
    assert [p.month for p in trend][0] == datetime.date(2025, 4, 1)
    assert [p.month for p in trend][-1] == datetime.date(2026, 3, 1)
    december = trend[8]
    assert (december.held, december.due, december.attendance_rate) == (1, 1, 0.5)
    assert (trend[10].held, trend[10].due) == (0, 1)
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html and "Tỷ lệ dự họp" in html
    assert "tháng 12/2025: 1/1 buổi, dự họp 50%" in html  # the text alternative


@pytest.mark.parametrize(
    ("largest", "top", "labels"),
    [
        (0, 1, ["0", "1"]),
        (1, 1, ["0", "1"]),
        (2, 2, ["0", "1", "2"]),
        (3, 4, ["0", "1", "2", "3", "4"]),
        (37, 40, None),
    ],
)
def test_the_trend_count_axis_fits_a_single_cell_and_labels_only_whole_meetings(largest, top, labels):
    months = [datetime.date(2026, m, 1) for m in range(1, 13)]
    held = [0] * 11 + [largest]
    svg = trend_svg(months, held, held, [None] * 12, title="t", description="d")

    assert nice_ceiling(largest) == top
    # The left axis's labels (right-aligned, left of the plot); the percentages on the right stay 0-100 %.
    left = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)
    if labels is not None:
        assert left == labels
    assert all(label.isdigit() for label in left)
    assert "100%" in svg


# --- the period ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thang-2026-03", Period("month", 2026, 3)),
        ("quy-2025-4", Period("quarter", 2025, 4)),
        ("nam-2024", Period("year", 2024)),
        ("thang-2026-13", None),
        ("quy-2026-5", None),
        ("nam-26", None),
        ("nam-1899", None),
        ("", None),
        ("nam-2026; drop", None),
    ],
)
def test_periods_are_parsed_from_the_query_string(text, expected):
    assert Period.parse(text) == expected


def test_a_period_knows_its_months_quarters_and_label():
    quarter = Period("quarter", 2026, 4)
    assert quarter.months == [datetime.date(2026, m, 1) for m in (10, 11, 12)]
    assert quarter.label == "Quý IV năm 2026"
    assert Period("month", 2026, 3).label == "Tháng 03 năm 2026"
    assert Period("month", 2026, 3).trend_months[0] == datetime.date(2025, 4, 1)
    assert Period("year", 2026).quarter_starts == [datetime.date(2026, m, 1) for m in (1, 4, 7, 10)]


def test_the_default_period_is_the_current_year(client, world):
    client.force_login(world.board_user)

    response = client.get(url(world.commune))

    assert response.context["period"] == Period("year", 2026)
    assert "Năm 2026" in response.content.decode()


def test_a_bad_period_shows_the_default_with_a_message_not_an_error(client, world):
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="quy-2026-9", loai="spaceship"))

    assert response.status_code == 200
    assert response.context["period"] == Period("year", 2026)
    assert response.context["cell_type"] == ""
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Kỳ báo cáo “quy-2026-9” không hợp lệ" in text and "Năm 2026" in text for text in texts)
    assert any("Loại hình chi bộ “spaceship” không hợp lệ. Đang hiện: tất cả loại hình." in text for text in texts)
    assert not any("spaceship" in text and "Năm 2026" in text for text in texts)


def test_an_older_period_is_offered_in_the_picker(client, world):
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="nam-2019"))

    assert response.context["period"] == Period("year", 2019)
    assert '<option value="nam-2019" selected>' in response.content.decode()


# --- access ----------------------------------------------------------------------------------------------------------


def test_it_hides_other_cells(client, world):
    client.force_login(world.outsider_user)

    assert client.get(url(world.commune)).status_code == 404
    assert client.get(url(world.cell_a)).status_code == 404


def test_a_plain_member_cannot_read_their_cells_dashboard(client, world):
    client.force_login(world.member_user)

    assert client.get(url(world.cell_a)).status_code == 404


def test_a_board_user_reads_its_subtree_only(client, world):
    client.force_login(world.board_user)

    assert client.get(url(world.commune)).status_code == 200
    assert client.get(url(world.cell_a)).status_code == 200
    assert client.get(url(world.other_commune)).status_code == 404
    assert client.get(url(world.cell_b)).status_code == 404
    assert client.get(url(world.province)).status_code == 404


def test_a_secretary_reads_their_own_cell_only(client, world):
    client.force_login(world.secretary_user)

    assert client.get(url(world.cell_a)).status_code == 200
    assert client.get(url(world.commune)).status_code == 404


def test_a_stored_path_taken_over_by_another_subtree_does_not_leak_its_history(client, world):
    """Paths of moved nodes are freed and can be given to a new node: commune Xuân Lộc (the last child) moves away,
    a new commune takes its old path, and cell B's stored findings path now lies inside the newcomer's subtree
    until B's findings are computed again. The newcomer's board must not see B's history."""
    from cells.services import organization_move

    finding(world.cell_b, datetime.date(2026, 1, 1), fail=["length"])
    old_path = CellMonth.objects.get(cell=world.cell_b).path
    organization_move(organization=world.other_commune, new_parent=world.commune, on=datetime.date(2026, 6, 1))
    newcomer = make_org(world.province, name="Đảng bộ xã Xuân An", code="C00")
    assert old_path.startswith(newcomer.path)  # the freed path was reused
    reader = make_user_with_grant(newcomer)
    client.force_login(reader)

    data = client.get(url(newcomer, ky="nam-2026")).context["data"]

    assert data.headline.cells == 0 and data.shortfalls == []


def make_user_with_grant(organization):
    from tests.factories import UserFactory

    user = UserFactory()
    grant(user, organization)
    return user


def test_it_requires_a_login(client, world):
    response = client.get(url(world.commune))

    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_dashboard_only_reads_and_answers_get_only(client, world):
    """Read-only users are never refused here (a dashboard writes nothing), and nothing can be posted to it."""
    client.force_login(world.board_user)

    assert client.post(url(world.commune)).status_code == 405


def test_the_home_link_opens_the_users_top_organization(client, world):
    client.force_login(world.board_user)
    assert client.get(reverse("reports:dashboard_home"))["Location"] == url(world.commune)

    client.force_login(world.secretary_user)
    assert client.get(reverse("reports:dashboard_home") + "?ky=nam-2025")["Location"] == url(
        world.cell_a, ky="nam-2025"
    )

    client.force_login(world.member_user)
    response = client.get(reverse("reports:dashboard_home"))
    assert response["Location"] == reverse("home")


# --- members flagged for review --------------------------------------------------------------------------------------


def _held_with_absence(world, day, absent):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC), tick=False):
        meeting = make_meeting(world.cell_a, planned_date=day)
        services.attendance_prepare(meeting=meeting)
        for attendance in meeting.attendances.select_related("member"):
            status = "absent" if attendance.member in absent else "present"
            services.attendance_set(meeting=meeting, member=attendance.member, status=status)
        start = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=datetime.UTC)
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=95),
            chair=world.secretary,
            recorder=world.member,
            mark_held=True,
        )


def test_members_absent_without_reason_three_months_are_listed_for_review(client, world):
    absentee = make_member(world.cell_a, full_name="Lò Văn Vắng")
    for month in (2, 3, 4):
        _held_with_absence(world, datetime.date(2026, month, 4), [absentee])
    client.force_login(world.board_user)

    response = client.get(
        reverse("reports:dashboard_absences", args=[world.commune.pk]) + "?ky=nam-2026", HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "Lò Văn Vắng" in html
    assert reverse("members:detail", args=[absentee.pk]) in html
    assert "02/2026, 03/2026, 04/2026" in html  # which months, to check against the minutes
    assert "<html" not in html  # the fragment, for htmx
    # The dashboard's cell-type filter applies here too (by the type of the member's cell).
    url_ = reverse("reports:dashboard_absences", args=[world.commune.pk])
    assert "Lò Văn Vắng" in client.get(url_ + "?ky=nam-2026&loai=agency").content.decode()
    assert "Lò Văn Vắng" not in client.get(url_ + "?ky=nam-2026&loai=residential").content.decode()
    assert (
        "Lò Văn Vắng"
        not in client.get(
            reverse("reports:dashboard_absences", args=[world.commune.pk]) + "?ky=nam-2025"
        ).content.decode()
    )


# Queries of the absences list: the session, the user, the organization, the scope (6), then
# reports.compliance.member_absences: the absences grouped by member, month and cell; the policies.
ABSENCES_QUERIES = 11


@pytest.mark.parametrize("absentees", [1, 3])
def test_the_absences_list_costs_the_same_queries_whatever_its_length(
    client, world, django_assert_num_queries, absentees
):
    absent = [make_member(world.cell_a) for _n in range(absentees)]
    for month in (2, 3, 4):
        _held_with_absence(world, datetime.date(2026, month, 4), absent)
    client.force_login(world.board_user)

    with django_assert_num_queries(ABSENCES_QUERIES):
        response = client.get(
            reverse("reports:dashboard_absences", args=[world.commune.pk]) + "?ky=nam-2026", HTTP_HX_REQUEST="true"
        )

    assert len(response.context["flagged"]) == absentees


def test_the_absences_page_has_a_year_picker_and_keeps_the_chosen_period_in_its_links(client, world):
    absentee = make_member(world.cell_a, full_name="Lò Văn Vắng")
    for month in (2, 3, 4):
        _held_with_absence(world, datetime.date(2025, month, 4), [absentee])
    client.force_login(world.board_user)
    page = reverse("reports:dashboard_absences", args=[world.commune.pk])

    response = client.get(page + "?ky=quy-2025-2")

    html = response.content.decode()
    assert response.context["year"] == 2025  # a quarter stands for its year
    assert '<option value="nam-2025" selected>' in html  # the picker, on the year shown
    assert '<option value="quy-2025-2"' not in html  # years only: the review counts a calendar year
    assert "Lò Văn Vắng" in html
    # Back to the dashboard and down to the cell with the period the board chose.
    assert reverse("reports:dashboard", args=[world.commune.pk]) + "?ky=quy-2025-2" in html
    assert reverse("reports:dashboard", args=[world.cell_a.pk]) + "?ky=quy-2025-2" in html
    assert reverse("reports:dashboard_absences_xlsx", args=[world.commune.pk]) + "?ky=nam-2025" in html
    assert "Lò Văn Vắng" not in client.get(page + "?ky=nam-2026").content.decode()


def test_the_absences_list_exports_to_excel_and_csv(client, world):
    import io

    import openpyxl

    absentee = make_member(world.cell_a, full_name="Lò Văn Vắng")
    for month in (2, 3, 4):
        _held_with_absence(world, datetime.date(2026, month, 4), [absentee])
    client.force_login(world.board_user)

    xlsx = client.get(reverse("reports:dashboard_absences_xlsx", args=[world.commune.pk]) + "?ky=nam-2026")
    csv_ = client.get(reverse("reports:dashboard_absences_csv", args=[world.commune.pk]) + "?ky=nam-2026")

    assert xlsx.status_code == 200 and "vang-khong-ly-do-" in xlsx["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    (line,) = [row for row in rows if row[0] == "Lò Văn Vắng"]
    assert line[1:6] == (world.cell_a.name, 3, 3, "02/2026, 03/2026, 04/2026", 3)
    text = csv_.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Đảng viên,Chi bộ,Số tháng vắng không lý do")
    assert f'Lò Văn Vắng,{world.cell_a.name},3,3,"02/2026, 03/2026, 04/2026",3,' in text
    other = reverse("reports:dashboard_absences_csv", args=[world.commune.pk]) + "?ky=nam-2025"
    assert "Lò Văn Vắng" not in client.get(other).content.decode("utf-8-sig")


@pytest.mark.parametrize("name", ["dashboard_absences_xlsx", "dashboard_absences_csv"])
def test_the_absences_exports_are_hidden_from_other_subtrees(client, world, name):
    client.force_login(world.outsider_user)

    assert client.get(reverse(f"reports:{name}", args=[world.commune.pk])).status_code == 404


def test_the_absences_list_is_hidden_from_other_subtrees(client, world):
    client.force_login(world.outsider_user)

    assert client.get(reverse("reports:dashboard_absences", args=[world.commune.pk])).status_code == 404


# --- queries ---------------------------------------------------------------------------------------------------------


def grow(parents, cells: int, month_count: int):
    """``cells`` more cells under ``parents`` (in turn), each with ``month_count`` months of 2026, a quarter failing."""
    rows = []
    for n in range(cells):
        cell = make_cell(parents[n % len(parents)], cell_type="residential" if n % 3 else "agency")
        for month in months(2026, 1, month_count):
            rows.append(build_finding(cell, month, fail=["length"] if (n + month.month) % 4 == 0 else ()))
    CellMonth.objects.bulk_create(rows)
    rollups.refresh({(row.cell_id, row.path) for row in rows}, months(2026, 1, month_count))


# Queries of a dashboard page, whatever the number of cells, the first time as the tenth (nothing is cached):
#   1-2   the session and the user;
#   3     the organization (members.access.get_organization_for_user);
#   4-9   the user's scope (grants, positions, seats, assignments, memberships, member);
#   10    the children organizations (not on a cell's dashboard);
#   11    the sums of the organization and its children, for the period and the trend's months (reports.rollups);
#   12    one page of the cells that fell short most often;
#   13    the stored rows (≤ 60 cells: their cell-months; above: the failing ones of the worst cells);
#   14    one page of the cells ranked by months passed (not on a cell's dashboard);
#   15    the ancestors, for the breadcrumb (none above a root);
#   16    the superior-committee visits received, per child or per month (reports.visits.visits_received);
#   17    the e-mails of the subtree that failed in the period (the callout's count).
DASHBOARD_QUERIES = 17


@pytest.mark.parametrize(("cells", "month_count"), [(3, 3), (40, 12)])
def test_the_commune_dashboard_costs_the_same_queries_whatever_its_size(
    client, world, django_assert_num_queries, cells, month_count
):
    grow([world.commune], cells, month_count)
    client.force_login(world.board_user)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url(world.commune, ky="nam-2026"))
    with django_assert_num_queries(DASHBOARD_QUERIES):
        again = client.get(url(world.commune, ky="nam-2026"))

    assert response.status_code == 200
    assert response.context["data"].headline.cells == cells
    first, second = response.context["data"], again.context["data"]
    assert (second.headline, second.heatmap, second.trend) == (first.headline, first.heatmap, first.trend)
    assert [row.figures for row in second.children] == [row.figures for row in first.children]


@pytest.mark.parametrize("cells", [3, 95])  # 95: 63 residential cells
def test_the_province_dashboard_costs_the_same_queries_below_and_above_sixty_cells(
    client, world, django_assert_num_queries, cells
):
    grant(world.board_user, world.province)
    grow([world.commune, world.other_commune], cells, 12)
    client.force_login(world.board_user)

    with django_assert_num_queries(DASHBOARD_QUERIES - 1):  # a root: no ancestors to read
        response = client.get(url(world.province, ky="nam-2026", loai="residential"))

    assert response.status_code == 200
    assert response.context["data"].heatmap.mode == ("cells" if cells <= 60 else "children")


@pytest.mark.parametrize("month_count", [1, 12])
def test_a_cells_dashboard_costs_the_same_queries_whatever_its_months(
    client, world, django_assert_num_queries, month_count
):
    for month in months(2026, 1, month_count):
        finding(world.cell_a, month)
    client.force_login(world.secretary_user)

    with django_assert_num_queries(DASHBOARD_QUERIES - 2):  # no children, no ranking
        response = client.get(url(world.cell_a, ky="nam-2026"))
    with django_assert_num_queries(DASHBOARD_QUERIES - 2):
        client.get(url(world.cell_a, ky="nam-2026"))

    assert len(response.context["data"].months) == month_count


def test_a_recomputed_finding_shows_at_once(client, world):
    finding(world.cell_a, datetime.date(2026, 3, 1))
    client.force_login(world.board_user)
    assert client.get(url(world.commune, ky="nam-2026")).context["data"].headline.cells_short == 0

    finding(world.cell_a, datetime.date(2026, 3, 1), fail=["length"], length_minutes=70)  # computed again
    data = client.get(url(world.commune, ky="nam-2026")).context["data"]

    assert data.headline.cells_short == 1
    assert data.shortfalls[0].months[0][2] == ["Thời lượng 70/90 phút"]


def test_a_deleted_cell_leaves_its_committees_figures_once_committed(client, world, django_capture_on_commit_callbacks):
    finding(world.cell_a, datetime.date(2026, 3, 1))
    gone = make_cell(world.commune)
    finding(gone, datetime.date(2026, 3, 1), fail=["length"])
    client.force_login(world.board_user)
    assert client.get(url(world.commune, ky="nam-2026")).context["data"].headline.cells == 2

    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()  # the admin's tree editor

    data = client.get(url(world.commune, ky="nam-2026")).context["data"]
    assert (data.headline.cells, data.headline.cells_short) == (1, 0)


def test_the_medians_are_computed_by_the_database_it_runs_on(world):
    finding(world.cell_a, datetime.date(2026, 1, 1), length_minutes=91)
    finding(world.cell_a, datetime.date(2026, 2, 1), length_minutes=99)

    figures = dashboard(world.commune, Period("year", 2026)).headline

    assert figures.median_length == 95.0, connection.vendor


def test_the_page_counts_a_cell_with_nothing_due_yet_as_pending_not_as_meeting_every_rule(client, world):
    finding(world.cell_a, datetime.date(2026, 11, 1), na=["regular_held"])  # the running month, no meeting yet
    finding(world.cell_b, datetime.date(2026, 11, 1))
    client.force_login(world.admin)

    html = client.get(url(world.province, ky="thang-2026-11")).content.decode()

    assert 'data-testid="fig-cells-ok">1<small>/1 (100%)' in html
    assert "1 chi bộ chưa đến hạn" in html


def test_months_of_the_period_without_any_findings_are_named(client, world):
    for month in (3, 4, 7):
        finding(world.cell_a, datetime.date(2026, month, 1))
    client.force_login(world.board_user)

    data = client.get(url(world.commune, ky="nam-2026")).context["data"]
    html = client.get(url(world.commune, ky="nam-2026")).content.decode()

    # Today is 22/11/2026 (see _today): December has not begun and is not named.
    assert [(first.month, last.month) for first, last in data.missing_ranges] == [(1, 2), (5, 6), (8, 11)]
    assert "Chưa có số liệu cho" in html and "01/2026–02/2026, 05/2026–06/2026, 08/2026–11/2026" in html
    assert (
        'data-testid="months-without-data"' not in client.get(url(world.commune, ky="thang-2026-03")).content.decode()
    )


def test_the_dashboard_links_to_the_rules_in_force(client, world):
    client.force_login(world.board_user)

    html = client.get(url(world.commune)).content.decode()

    assert reverse("reports:organization_policy", args=[world.commune.pk]) in html


# --- honest figures for a board ---------------------------------------------------------------------------------------


def _three_cells_one_short_month_each(world):
    """Three cells of the commune, four months each; each fails one month (a different rule), so no cell meets
    every rule in every month, though nine months out of twelve do."""
    cells = [
        world.cell_a,
        make_cell(world.commune, name="Chi bộ thôn 2"),
        make_cell(world.commune, name="Chi bộ thôn 3"),
    ]
    failing = {0: ("length", 1), 1: ("speakers", 2), 2: ("length", 3)}
    for index, cell in enumerate(cells):
        rule, bad_month = failing[index]
        for month in months(2026, 1, 4):
            finding(cell, month, fail=[rule] if month.month == bad_month else ())
    return cells


def test_the_headline_shows_the_share_of_cell_months_meeting_every_rule_beside_the_every_month_figure(client, world):
    _three_cells_one_short_month_each(world)
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="nam-2026"))

    figures = response.context["data"].headline
    assert (figures.cells_ok, figures.cells_decided) == (0, 3)  # "every rule, every month": nobody
    assert (figures.passed, figures.failed) == (9, 3)
    html = response.content.decode()
    assert re.search(r'data-testid="fig-months-ok">75%<', html)
    assert "9/12" in html
    assert "Chi bộ đạt mọi quy định, mọi tháng" in html  # kept, as one figure among the others


def test_each_rules_share_of_cell_months_is_read_from_the_stored_sums_for_the_period_and_each_month(client, world):
    _three_cells_one_short_month_each(world)
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="nam-2026"))

    data = response.context["data"]
    shares = {share.rule: (share.passed, share.failed) for share in data.headline.rule_shares}
    assert shares["length"] == (10, 2)
    assert shares["speakers"] == (11, 1)
    assert shares["regular_held"] == (12, 0)
    assert "thematic" not in shares  # never decided in these months: not shown as a rule met or failed
    trend = {point.month: point for point in data.trend}
    assert trend[datetime.date(2026, 1, 1)].rule_rate("length") == pytest.approx(2 / 3)
    assert trend[datetime.date(2026, 2, 1)].rule_rate("length") == 1.0
    assert trend[datetime.date(2026, 2, 1)].months_rate == pytest.approx(2 / 3)
    assert trend[datetime.date(2026, 5, 1)].months_rate is None
    rows = {row["label"]: row for row in response.context["rule_rows"]}
    assert rows["Đạt mọi quy định"]["rate"] == "75%"
    assert rows["Đủ thời lượng"]["rate"] == "83%"
    assert rows["Đủ thời lượng"]["months"][:5] == ["67%", "100%", "67%", "100%", "—"]
    assert 'data-testid="rule-shares"' in response.content.decode()


def test_cells_are_ranked_by_months_passed_a_page_at_a_time(client, world, monkeypatch):
    monkeypatch.setattr("reports.dashboard.RANKING_PAGE", 2)
    for name, bad in (("Chi bộ thôn 10", 2), ("Chi bộ thôn 2", 0), ("Chi bộ thôn 1", 1), ("Chi bộ thôn 3", 1)):
        cell = make_cell(world.commune, name=name)
        for month in months(2026, 1, 4):
            finding(cell, month, fail=["length"] if month.month <= bad else ())
    client.force_login(world.board_user)

    first = client.get(url(world.commune, ky="nam-2026"))
    second = client.get(url(world.commune, ky="nam-2026", hang=2))

    def ranked(response):
        return [(row.rank, row.name, row.passed, row.failed) for row in response.context["data"].ranking]

    assert ranked(first) == [(1, "Chi bộ thôn 2", 4, 0), (2, "Chi bộ thôn 1", 3, 1)]
    assert ranked(second) == [(3, "Chi bộ thôn 3", 3, 1), (4, "Chi bộ thôn 10", 2, 2)]
    assert 'href="?ky=nam-2026&amp;hang=2#ranking"' in first.content.decode()
    assert first.context["data"].ranking[0].href.endswith("?ky=nam-2026")  # the drill-down keeps the period


def test_the_dashboard_lists_cells_in_natural_order(client, world):
    for number in (10, 2, 11, 1):
        cell = make_cell(world.commune, name=f"Chi bộ khu phố {number}")
        finding(cell, datetime.date(2026, 1, 1), fail=["length"])
    client.force_login(world.board_user)

    response = client.get(url(world.commune, ky="nam-2026"))

    data = response.context["data"]
    expected = ["Chi bộ khu phố 1", "Chi bộ khu phố 2", "Chi bộ khu phố 10", "Chi bộ khu phố 11"]
    assert [row.name for row in data.heatmap.rows if "khu phố" in row.name] == expected
    assert [row.organization.name for row in data.children if "khu phố" in row.organization.name] == expected
    assert [item.name for item in data.shortfalls] == expected  # one failing month each: a tie, in natural order
    html = response.content.decode()
    assert "…" not in html  # full names in the heatmap, wrapping (no ellipsis)


def test_a_later_page_of_either_list_costs_no_more_queries(client, world, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr("reports.dashboard.RANKING_PAGE", 2)
    monkeypatch.setattr("reports.dashboard.SHORTFALL_LIMIT", 2)
    grow([world.commune], 9, 3)
    client.force_login(world.board_user)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(url(world.commune, ky="nam-2026", trang=3, hang=4))

    assert response.context["data"].ranking and response.context["data"].shortfalls


HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _mail(organization, key, *, status, on):
    """An outbox row of ``organization`` written on the day ``on`` (Hà Nội)."""
    row = OutboxMessage.objects.create(
        key=key,
        kind=OutboxMessage.Kind.PLAN_DUE,
        organization=organization,
        to_email=f"{key}@example.vn",
        subject="Nhắc lập kế hoạch sinh hoạt",
        body_text="…",
        status=status,
        last_error="550 5.1.1 mailbox unavailable" if status == OutboxMessage.Status.FAILED else "",
    )
    OutboxMessage.objects.filter(pk=row.pk).update(
        created_at=datetime.datetime.combine(on, datetime.time(7), tzinfo=HANOI)
    )


def test_the_dashboard_says_how_many_mails_of_the_period_failed_and_links_to_them(client, world):
    failed = OutboxMessage.Status.FAILED
    _mail(world.cell_a, "a1", status=failed, on=datetime.date(2026, 11, 5))
    _mail(world.commune, "c1", status=failed, on=datetime.date(2026, 11, 30))  # a digest to the commune's board
    _mail(world.cell_a, "a2", status=OutboxMessage.Status.SENT, on=datetime.date(2026, 11, 6))
    _mail(world.cell_a, "a3", status=failed, on=datetime.date(2026, 10, 31))  # the month before
    _mail(world.cell_b, "b1", status=failed, on=datetime.date(2026, 11, 5))  # another commune's cell
    client.force_login(world.board_user)

    november = client.get(url(world.commune, ky="thang-2026-11")).content.decode()
    december = client.get(url(world.commune, ky="thang-2026-12")).content.decode()

    callout = re.search(r'data-testid="failed-mail">(.*?)</div>', november, re.S).group(1)
    assert "2 thư điện tử trong kỳ không gửi được" in callout
    outbox = reverse("meetings:organization_outbox", args=[world.commune.pk])
    assert f'href="{outbox}?trang-thai=failed"' in callout
    assert 'data-testid="failed-mail"' not in december
    assert f'href="{outbox}"' in december  # the outbox is always one link away
