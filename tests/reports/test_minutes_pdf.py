import datetime
import subprocess
import unicodedata

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.wording import committee_rank
from members.models import CommitteeSeat
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_meeting(world):
    with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC), tick=False):
        meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
        services.attendance_prepare(meeting=meeting)
        services.attendance_set(meeting=meeting, member=world.secretary, status="present")
        services.attendance_set(meeting=meeting, member=world.member, status="present")
        services.attendance_set(meeting=meeting, member=world.plain_member, status="excused", reason="Ốm")
        visitor_seat = CommitteeSeat.objects.create(
            organization=world.commune,
            holder_name="Trần Văn Bình",
            title="Phó Bí thư Đảng ủy xã",
            rank=CommitteeSeat.Rank.STANDING,
            valid_from=datetime.date(2025, 7, 1),
        )
        services.visitor_add(meeting=meeting, seat=visitor_seat)
        item = meeting.agenda.get(order=3)
        services.speech_add(meeting=meeting, member=world.member, agenda_item=item, summary="Đề nghị tăng cường.")
        start = datetime.datetime(2026, 11, 4, 7, 0, tzinfo=datetime.UTC)  # 14:00 in Hà Nội
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=120),
            chair=world.secretary,
            recorder=world.member,
            conclusions={item.pk: "Thống nhất giao chi ủy theo dõi."},
            resolution_title="Nghị quyết tháng 11",
            votes_for=2,
            votes_against=0,
            quality_score=92,
            mark_held=True,
        )
        return meeting


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", " ".join(out.stdout.split()))


def test_the_minutes_pdf_prints_the_official_layout(client, world, held_meeting, tmp_path):
    client.force_login(world.board_user)

    response = client.get(reverse("reports:minutes_pdf", args=[held_meeting.pk]))

    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content, tmp_path)
    for phrase in [
        "ĐẢNG BỘ XÃ XUÂN HIỆP",
        "CHI BỘ CƠ QUAN UBND XÃ",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Xuân Hiệp, ngày 04 tháng 11 năm 2026",
        "BIÊN BẢN",
        "SINH HOẠT CHI BỘ ĐỊNH KỲ THÁNG 11 NĂM 2026",
        "bắt đầu lúc 14 giờ 00 ngày 04/11/2026",
        "Đại biểu cấp trên: đồng chí Trần Văn Bình, Ủy viên Ban Thường vụ Đảng ủy xã (Phó Bí thư Đảng ủy xã).",
        "Chủ trì: đồng chí Nguyễn Thị Hiền",
        "Có mặt: 2. Vắng: 1 (có lý do: đồng chí Quách Thị Hương (Ốm))",
        "Đồng chí Đỗ Thanh Hài: Đề nghị tăng cường.",
        "Chủ trì kết luận: Thống nhất giao chi ủy theo dõi.",
        "tán thành: 2",
        "thông qua",
        "92 điểm, xếp loại Tốt",
        "kết thúc lúc 16 giờ 00 cùng ngày",
        "Bản dự thảo, chưa được chủ trì duyệt.",
    ]:
        assert phrase in text, phrase


def test_a_meeting_ending_after_midnight_prints_the_day_it_ended(client, world, held_meeting, tmp_path):
    start = datetime.datetime(2026, 11, 4, 12, 30, tzinfo=datetime.UTC)  # 19:30 in Hà Nội
    with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC), tick=False):
        held_meeting.refresh_from_db()
        services.meeting_record(
            meeting=held_meeting,
            version=held_meeting.version,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=300),  # 00:30 on the 5th
            chair=world.secretary,
            recorder=world.member,
        )
    client.force_login(world.board_user)

    text = _text(client.get(reverse("reports:minutes_pdf", args=[held_meeting.pk])).content, tmp_path)

    assert "kết thúc lúc 00 giờ 30 ngày 05/11/2026" in text and "cùng ngày" not in text


def test_the_approved_minutes_carry_their_number_and_no_draft_mark(client, world, held_meeting, tmp_path):
    services.minutes_approve(meeting=held_meeting, by=world.secretary_user)
    client.force_login(world.secretary_user)

    text = _text(client.get(reverse("reports:minutes_pdf", args=[held_meeting.pk])).content, tmp_path)

    assert "Số: 01-BB/CB" in text
    assert "dự thảo" not in text


def test_the_minutes_pdf_is_hidden_from_other_cells(client, world, held_meeting):
    client.force_login(world.outsider_user)

    assert client.get(reverse("reports:minutes_pdf", args=[held_meeting.pk])).status_code == 404


def test_two_meetings_of_one_cell_on_one_day_download_under_two_file_names(client, world, held_meeting):
    with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC), tick=False):
        evening = make_meeting(
            world.cell_a, kind="extraordinary", planned_date=datetime.date(2026, 11, 4), planned_time=datetime.time(19)
        )
    client.force_login(world.board_user)

    names = [
        client.get(reverse("reports:minutes_pdf", args=[meeting.pk]))["Content-Disposition"]
        for meeting in (held_meeting, evening)
    ]

    assert names == [
        f'inline; filename="bien-ban-A-20261104-1400-sinh-hoat-dinh-ky-{held_meeting.pk}.pdf"',
        f'inline; filename="bien-ban-A-20261104-1900-sinh-hoat-bat-thuong-{evening.pk}.pdf"',
    ]


def test_the_minutes_list_the_visitors_with_the_rank_and_committee_held_that_day(client, world, held_meeting, tmp_path):
    with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC), tick=False):
        province_seat = CommitteeSeat.objects.create(
            organization=world.province,
            holder_name="Lê Văn Cường",
            title="",
            rank=CommitteeSeat.Rank.COMMITTEE,
            valid_from=datetime.date(2025, 7, 1),
        )
        services.visitor_add(meeting=held_meeting, seat=province_seat)
        services.visitor_add(meeting=held_meeting, name="Lê Thị Cúc", title="Bí thư Đoàn xã", is_superior=False)
    # Later the commune's visitor leaves the standing committee: the minutes keep the rank held on the meeting's day.
    CommitteeSeat.objects.filter(holder_name="Trần Văn Bình").update(rank=CommitteeSeat.Rank.COMMITTEE, title="")
    client.force_login(world.board_user)

    text = _text(client.get(reverse("reports:minutes_pdf", args=[held_meeting.pk])).content, tmp_path)

    assert (
        "Đại biểu cấp trên: đồng chí Trần Văn Bình, Ủy viên Ban Thường vụ Đảng ủy xã (Phó Bí thư Đảng ủy xã); "
        "đồng chí Lê Văn Cường, Ủy viên Ban Chấp hành Đảng bộ tỉnh."
    ) in text
    assert "Khách mời: đồng chí Lê Thị Cúc, Bí thư Đoàn xã." in text


def test_a_ranks_wording_names_the_committees_level():
    Rank = CommitteeSeat.Rank
    assert committee_rank(Rank.STANDING, "provincial") == "Ủy viên Ban Thường vụ Tỉnh ủy"
    assert committee_rank(Rank.STANDING, "commune", "Đảng bộ phường Tam Hiệp") == "Ủy viên Ban Thường vụ Đảng ủy phường"
    assert committee_rank(Rank.COMMITTEE, "grassroots_committee") == "Ủy viên Ban Chấp hành Đảng bộ cơ sở"
    assert committee_rank(Rank.BOARD_LEADER, "provincial") == "Lãnh đạo ban, ngành cấp tỉnh"
    assert committee_rank(Rank.OTHER, "commune") == committee_rank("", "") == ""
