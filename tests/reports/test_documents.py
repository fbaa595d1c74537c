"""The meeting's official documents (issue 14): the minutes and the resolution as PDF, numbered from 01 in the
committee's term, stored once when approved (a correction adds a version and keeps the old), and served from the
stored file; the draft's mark and page numbers; the cell's resolution book; access on every download."""

import datetime
import hashlib
import os
import subprocess
import unicodedata

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cells.models import Organization, OrganizationName, Term
from cells.numbering import numbering_period
from meetings import services
from meetings.models import Meeting, OfficialDocument
from members.models import Member
from reports import documents, tasks
from reports.pdf import StaticOnlyFetcher
from tests.factories import make_meeting, make_member

pytestmark = pytest.mark.django_db
DECEMBER = datetime.date(2026, 12, 4)
MINUTES, RESOLUTION = OfficialDocument.Kind.MINUTES, OfficialDocument.Kind.RESOLUTION


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def hold(world, day=DECEMBER, *, speakers=(), summaries=None, resolution=True, extra=()):
    """A meeting of cell A on ``day`` (14:00 to 16:00), held: the secretary chairs, Đỗ Thanh Hài records, Quách Thị
    Hương is away with a reason, ``extra`` members present; each of ``speakers`` speaks on item 3."""
    meeting = make_meeting(world.cell_a, planned_date=day)
    services.attendance_prepare(meeting=meeting)
    for member in [world.secretary, world.member, *extra]:
        services.attendance_set(meeting=meeting, member=member, status="present")
    services.attendance_set(meeting=meeting, member=world.plain_member, status="excused", reason="Đi công tác")
    item = meeting.agenda.get(order=3)
    for n, member in enumerate(speakers):
        summary = (summaries or {}).get(n, f"Ý kiến số {n + 1} của đồng chí về nhiệm vụ tháng tới.")
        services.speech_add(meeting=meeting, member=member, agenda_item=item, summary=summary)
    start = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=datetime.UTC)  # 14:00 in Hà Nội
    services.meeting_record(
        meeting=meeting,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=120),
        chair=world.secretary,
        recorder=world.member,
        conclusions={item.pk: "Thống nhất giao chi ủy theo dõi."},
        resolution_title="Về lãnh đạo thực hiện nhiệm vụ tháng 01 năm 2027" if resolution else "",
        resolution_text="1. Hoàn thành thu đảng phí.\n2. Vận động nhân dân giữ gìn vệ sinh." if resolution else "",
        votes_for=2 + len(extra),
        votes_against=0,
        quality_score=92,
        mark_held=True,
    )
    meeting.refresh_from_db()
    return meeting


def approve(world, meeting):
    """The chair approves; then the task the approval enqueued stores the files (as a worker would)."""
    with transaction.atomic():
        services.minutes_approve(meeting=meeting, by=world.secretary_user)
    tasks.store_documents.apply(args=[None]).get()
    meeting.refresh_from_db()
    return meeting


def text_of(pdf: bytes, tmp_path, name="doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", " ".join(out.stdout.split()))


def pages_of(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def keep_for_eyes(pdf: bytes, name: str) -> None:
    """CHIBO_PDF_DIR set: the PDF is written there too, to be rendered to PNG and looked at."""
    if os.environ.get("CHIBO_PDF_DIR"):
        with open(os.path.join(os.environ["CHIBO_PDF_DIR"], name), "wb") as out:
            out.write(pdf)


# --- Numbering -------------------------------------------------------------------------------------------------------


def test_minutes_and_resolutions_are_numbered_from_01_in_the_term_each_in_its_own_sequence(world):
    without = approve(world, hold(world, datetime.date(2026, 10, 5), resolution=False))
    november = approve(world, hold(world, datetime.date(2026, 11, 4)))
    december = approve(world, hold(world))

    assert (without.number, without.resolution_number) == (1, None)
    assert (november.number, november.resolution_number) == (2, 1)
    assert (december.number, december.resolution_number) == (3, 2)


def test_the_term_carries_across_new_year_and_a_year_choice_starts_again(world):
    last_year = approve(world, hold(world, datetime.date(2025, 12, 4)))
    this_year = approve(world, hold(world, datetime.date(2026, 1, 5)))
    assert (last_year.number, this_year.number) == (1, 2)  # one term (2025–2030): no new count in January

    Organization.objects.filter(pk=world.commune.pk).update(document_numbering="year")  # the committee's choice
    february = approve(world, hold(world, datetime.date(2026, 2, 4)))
    assert february.number == 3  # numbers already given in 2026 count: none is printed twice
    next_year = hold(world, datetime.date(2026, 12, 4))
    assert numbering_period(world.cell_a, next_year.planned_date).start == datetime.date(2026, 1, 1)


def test_a_congress_starts_a_new_term_numbered_from_01(world):
    approve(world, hold(world, datetime.date(2026, 3, 4)))
    Term.objects.create(organization=world.cell_a, name="2026–2031", starts_on=datetime.date(2026, 6, 15))

    december = approve(world, hold(world))

    assert (december.number, december.numbered_from) == (1, datetime.date(2026, 6, 15))
    assert numbering_period(world.cell_a, datetime.date(2026, 3, 4)).end == datetime.date(2026, 6, 15)


def test_the_database_refuses_one_number_twice_in_a_period(world):
    meeting = approve(world, hold(world, datetime.date(2026, 11, 4)))
    other = hold(world)

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=other.pk).update(number=meeting.number, numbered_from=meeting.numbered_from)


# --- Stored once -----------------------------------------------------------------------------------------------------


def test_the_approved_minutes_are_stored_once_and_served_unchanged(client, world, tmp_path):
    meeting = approve(world, hold(world))
    stored = OfficialDocument.objects.get(meeting=meeting, kind=MINUTES)
    first = documents.read_stored(stored)
    assert stored.sha256 == hashlib.sha256(first).hexdigest() and stored.version == 1
    # Later the recorder's name and the cell's name change.
    Member.objects.filter(pk=world.member.pk).update(full_name="Đỗ Thanh Hải Mới")
    OrganizationName.objects.filter(organization=world.cell_a).update(name="Chi bộ đổi tên")
    Organization.objects.filter(pk=world.cell_a.pk).update(name="Chi bộ đổi tên")
    client.force_login(world.board_user)

    response = client.get(reverse("reports:minutes_pdf", args=[meeting.pk]))

    assert response.content == first
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256 == response["X-Content-SHA256"]
    assert "Đỗ Thanh Hài" in text_of(response.content, tmp_path)
    # What a render would give now differs: the download really is the stored file.
    meeting.refresh_from_db()
    assert "Đỗ Thanh Hải Mới" in text_of(documents.render_document(meeting, MINUTES), tmp_path, "now.pdf")
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert stored.sha256 in page


def test_a_download_before_the_task_ran_stores_the_file_then(client, world):
    meeting = hold(world)
    with transaction.atomic():
        services.minutes_approve(meeting=meeting, by=world.secretary_user)
    assert not OfficialDocument.objects.get(meeting=meeting, kind=MINUTES).is_stored
    client.force_login(world.secretary_user)

    first = client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content
    second = client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content

    stored = OfficialDocument.objects.get(meeting=meeting, kind=MINUTES)
    assert first == second and hashlib.sha256(first).hexdigest() == stored.sha256


def test_minutes_approved_before_documents_were_stored_get_their_first_version_at_the_first_download(client, world):
    meeting = approve(world, hold(world))
    OfficialDocument.objects.filter(meeting=meeting).delete()  # as minutes approved before this release
    client.force_login(world.board_user)

    served = client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content

    stored = OfficialDocument.objects.get(meeting=meeting, kind=MINUTES)
    assert stored.version == 1 and hashlib.sha256(served).hexdigest() == stored.sha256
    assert client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content == served


def test_a_correction_makes_a_new_version_and_keeps_the_old(client, world, tmp_path):
    meeting = approve(world, hold(world, speakers=[world.member]))
    old = OfficialDocument.objects.get(meeting=meeting, kind=MINUTES, version=1)
    old_bytes = documents.read_stored(old)

    with transaction.atomic():
        services.speech_add(
            meeting=meeting,
            member=world.secretary,
            summary="Bổ sung ý kiến về công tác phát triển đảng viên.",
            correction_reason="Bổ sung ý kiến bị sót",
            by=world.secretary_user,
        )
    tasks.store_documents.apply(args=[None]).get()
    client.force_login(world.secretary_user)

    new = OfficialDocument.objects.get(meeting=meeting, kind=MINUTES, version=2)
    old.refresh_from_db()
    assert documents.read_stored(old) == old_bytes and old.sha256 == hashlib.sha256(old_bytes).hexdigest()
    served = client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content
    assert hashlib.sha256(served).hexdigest() == new.sha256 != old.sha256
    assert "Bổ sung ý kiến về công tác phát triển đảng viên." in text_of(served, tmp_path)
    assert client.get(reverse("reports:document_version", args=[meeting.pk, old.pk])).content == old_bytes
    assert "Đính chính: Bổ sung ý kiến bị sót" in new.reason
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert old.sha256 in page and new.sha256 in page
    assert reverse("reports:document_version", args=[meeting.pk, old.pk]) in page


# --- What the documents say ------------------------------------------------------------------------------------------


def test_the_approved_minutes_print_the_heading_names_and_figures(client, world, tmp_path):
    meeting = approve(world, hold(world, speakers=[world.member, world.secretary]))
    client.force_login(world.member_user)

    pdf = client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content
    keep_for_eyes(pdf, "minutes-approved.pdf")
    text = text_of(pdf, tmp_path)

    for phrase in [
        "ĐẢNG BỘ XÃ XUÂN HIỆP",
        "CHI BỘ CƠ QUAN UBND XÃ",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số: 01-BB/CB",
        "Xuân Hiệp, ngày 04 tháng 12 năm 2026",
        "BIÊN BẢN",
        "SINH HOẠT CHI BỘ ĐỊNH KỲ THÁNG 12 NĂM 2026",
        "bắt đầu lúc 14 giờ 00 ngày 04/12/2026",
        "Chủ trì: đồng chí Nguyễn Thị Hiền",
        "Thư ký: đồng chí Đỗ Thanh Hài",
        "Có mặt: 2. Vắng: 1 (có lý do: đồng chí Quách Thị Hương (Đi công tác))",
        "Đồng chí Đỗ Thanh Hài: Ý kiến số 1",
        "Nghị quyết số 01-NQ/CB",
        "Số đảng viên chính thức được tính: 3; tán thành: 2; không tán thành: 0 → thông qua",
        "92 điểm, xếp loại Tốt",
        "kết thúc lúc 16 giờ 00 cùng ngày",
        "Trang 1/",
    ]:
        assert phrase in text, phrase
    assert "dự thảo" not in text.lower()


def test_the_resolution_is_its_own_document_signed_for_the_cell(client, world, tmp_path):
    meeting = approve(world, hold(world))
    client.force_login(world.member_user)

    response = client.get(reverse("reports:resolution_pdf", args=[meeting.pk]))
    keep_for_eyes(response.content, "resolution-approved.pdf")
    text = text_of(response.content, tmp_path)

    for phrase in [
        "ĐẢNG BỘ XÃ XUÂN HIỆP",
        "CHI BỘ CƠ QUAN UBND XÃ",
        "Số: 01-NQ/CB",
        "Xuân Hiệp, ngày 04 tháng 12 năm 2026",
        "NGHỊ QUYẾT",
        "VỀ LÃNH ĐẠO THỰC HIỆN NHIỆM VỤ THÁNG 01 NĂM 2027",
        "biên bản số 01-BB/CB",
        "1. Hoàn thành thu đảng phí.",
        "số đảng viên chính thức được tính 3; tán thành 2; không tán thành 0; nghị quyết được thông qua",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Nguyễn Thị Hiền",
    ]:
        assert phrase in text, phrase
    stored = OfficialDocument.objects.get(meeting=meeting, kind=RESOLUTION)
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256


def test_a_resolution_the_vote_did_not_pass_is_not_issued(client, world):
    meeting = hold(world)
    with transaction.atomic():
        services.meeting_record(
            meeting=meeting,
            version=meeting.version,
            started_at=meeting.started_at,
            ended_at=meeting.ended_at,
            chair=world.secretary,
            recorder=world.member,
            resolution_title=meeting.resolution_title,
            resolution_text=meeting.resolution_text,
            votes_for=0,
            votes_against=2,
        )
    meeting = approve(world, meeting)
    client.force_login(world.secretary_user)

    assert meeting.resolution_number is None
    assert client.get(reverse("reports:resolution_pdf", args=[meeting.pk])).status_code == 404
    assert not OfficialDocument.objects.filter(meeting=meeting, kind=RESOLUTION).exists()


def test_the_draft_is_marked_on_every_page_and_forty_speakers_paginate(client, world, tmp_path):
    extra = [make_member(world.cell_a, full_name=f"Phạm Văn Đức {n:02d}") for n in range(38)]
    meeting = hold(world, speakers=[world.secretary, world.member, *extra], extra=extra)
    client.force_login(world.secretary_user)

    pdf = client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content
    keep_for_eyes(pdf, "minutes-draft-40.pdf")
    text = text_of(pdf, tmp_path)
    pages = pages_of(pdf, tmp_path)

    assert pages > 1
    assert "Trang 2/" in text and f"Trang {pages}/{pages}" in text
    assert "Số: -BB/CB" in text and "Bản dự thảo, chưa được chủ trì duyệt." in text
    assert "Đồng chí Phạm Văn Đức 37: Ý kiến số 40" in text
    assert "DỰ THẢO" not in text  # the mark is outlines, not words mixed into the text


def test_a_draft_resolution_is_marked_and_unnumbered(client, world, tmp_path):
    meeting = hold(world)
    client.force_login(world.secretary_user)

    pdf = client.get(reverse("reports:resolution_pdf", args=[meeting.pk])).content
    keep_for_eyes(pdf, "resolution-draft.pdf")
    text = text_of(pdf, tmp_path)

    assert "Số: -NQ/CB" in text and "Bản dự thảo" in text and "NGHỊ QUYẾT" in text


# --- Budget and safety -----------------------------------------------------------------------------------------------


def test_the_minutes_of_20_attendees_and_10_speakers_render_in_at_most_20_queries(
    client, world, django_assert_max_num_queries
):
    extra = [make_member(world.cell_a) for _ in range(17)]  # with the secretary, the recorder, the one away: 20
    meeting = hold(world, speakers=[world.secretary, world.member, *extra[:8]], extra=extra)
    assert meeting.attendances.count() == 20 and meeting.speeches.count() == 10
    client.force_login(world.secretary_user)

    # session, user, meeting, scope (grants, memberships, seats), then the minutes' reading and the rules.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reports:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200


def test_user_text_is_printed_as_text_and_nothing_it_names_is_fetched(client, world, tmp_path, monkeypatch):
    asked = []
    fetch = StaticOnlyFetcher.fetch

    def recording(self, url, *args, **kwargs):
        asked.append(url)
        return fetch(self, url, *args, **kwargs)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording)
    summary = 'Xem <img src="http://example.com/x.png"> và <a href="file:///etc/passwd">x</a> nhé.'
    meeting = hold(world, speakers=[world.member], summaries={0: summary})
    client.force_login(world.secretary_user)

    text = text_of(client.get(reverse("reports:minutes_pdf", args=[meeting.pk])).content, tmp_path)

    assert asked  # the fetcher did serve our fonts and CSS
    assert not [url for url in asked if "example.com" in url or url.startswith("file:")]
    assert summary in text  # printed literally, as the member typed it


# --- Access ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def approved(world):
    return approve(world, hold(world))


def _urls(meeting):
    document = OfficialDocument.objects.filter(meeting=meeting).first()
    return [
        reverse("reports:minutes_pdf", args=[meeting.pk]),
        reverse("reports:resolution_pdf", args=[meeting.pk]),
        reverse("reports:document_version", args=[meeting.pk, document.pk]),
        reverse("reports:resolution_book", args=[meeting.organization_id, 2026]),
    ]


def test_every_download_sends_an_anonymous_visitor_to_log_in(client, approved):
    for url in _urls(approved):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"] or "dang-nhap" in response["Location"]


def test_it_hides_other_cells(client, world, approved):
    client.force_login(world.outsider_user)
    for url in _urls(approved):
        assert client.get(url).status_code == 404, url


def test_a_version_of_another_meeting_is_not_found_through_this_one(client, world, approved):
    other = approve(world, hold(world, datetime.date(2026, 11, 4)))
    document = OfficialDocument.objects.filter(meeting=other).first()
    client.force_login(world.secretary_user)

    assert client.get(reverse("reports:document_version", args=[approved.pk, document.pk])).status_code == 404


def test_the_readers_of_the_cell_and_its_board_may_download(client, world, approved):
    for user in (world.member_user, world.board_user, world.secretary_user):
        client.force_login(user)
        for url in _urls(approved):
            assert client.get(url).status_code == 200, (user, url)


# --- The resolution book ---------------------------------------------------------------------------------------------


def test_the_resolution_book_lists_the_years_resolutions(client, world, approved):
    earlier = approve(world, hold(world, datetime.date(2026, 11, 4)))
    not_adopted = approve(world, hold(world, datetime.date(2026, 10, 5), resolution=False))
    last_year = approve(world, hold(world, datetime.date(2025, 12, 4)))
    client.force_login(world.member_user)

    page = client.get(reverse("reports:resolution_book", args=[world.cell_a.pk, 2026])).content.decode()

    # Numbered in the order adopted within the term (2025–2030): December 01, November 02, last December 03.
    assert "01-NQ/CB" in page and "02-NQ/CB" in page and "03-NQ/CB" not in page
    assert "04/11/2026" in page and "04/12/2026" in page and "05/10/2026" not in page
    assert "Về lãnh đạo thực hiện nhiệm vụ tháng 01 năm 2027" in page
    assert reverse("reports:resolution_pdf", args=[earlier.pk]) in page
    assert reverse("reports:resolution_pdf", args=[not_adopted.pk]) not in page
    assert page.index("04/11/2026") < page.index("04/12/2026")  # by date
    other_year = client.get(reverse("reports:resolution_book", args=[world.cell_a.pk, 2025])).content.decode()
    assert "03-NQ/CB" in other_year and reverse("reports:resolution_pdf", args=[last_year.pk]) in other_year
