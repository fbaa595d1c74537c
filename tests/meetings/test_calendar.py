"""The meeting's iCalendar text (RFC 5545), read two ways: line by line here (what a strict reader sees), and back
through icalendar's parser (what the values are once unescaped and unfolded)."""

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from cells.models import Policy
from meetings import services
from meetings.calendar import meeting_ics
from meetings.models import AgendaItem
from tests.factories import make_meeting

LONG_VENUE = "Hội trường Nhà văn hóa thôn Đồng Tâm, xã Xuân Hiệp; tầng 2, phòng họp số 3 \\ khu B (cạnh trạm y tế)"


def unfold(text: str) -> list[str]:
    """The logical content lines: CRLF followed by one space or tab continues the previous line."""
    assert text.endswith("\r\n")
    return re.sub(r"\r\n[ \t]", "", text)[: -len("\r\n")].split("\r\n")


def prop(text: str, name: str) -> str:
    """The value of the first property ``name`` (with or without parameters)."""
    for line in unfold(text):
        key, _sep, value = line.partition(":")
        if key.split(";")[0] == name:
            return value
    raise AssertionError(f"no {name} in the calendar")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parsed_event(text: str):
    """The one VEVENT of the calendar, as icalendar's parser reads it."""
    [event] = Calendar.from_ical(text).events
    return event


@pytest.fixture
def meeting(world):
    return make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4), planned_time=datetime.time(14, 0))


def test_lines_end_with_crlf_and_nothing_else(meeting):
    text = meeting_ics(meeting, method="REQUEST")

    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_long_vietnamese_lines_are_folded_at_75_octets_never_inside_a_character(meeting):
    meeting.venue = LONG_VENUE
    meeting.topic = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về phát triển kinh tế"
    meeting.kind = "thematic"

    text = meeting_ics(meeting, method="REQUEST")

    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode()) for line in physical) <= 75
    assert any(line.startswith(" ") for line in physical)  # something was folded
    for line in physical:
        line.encode().decode("utf-8")  # each piece is whole characters
    assert unescape(prop(text, "LOCATION")) == LONG_VENUE


def test_vietnamese_text_reads_back_whole_through_a_parser(meeting):
    meeting.kind = "thematic"
    meeting.topic = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    meeting.venue = LONG_VENUE

    event = parsed_event(meeting_ics(meeting, method="REQUEST"))

    assert str(event["SUMMARY"]) == (
        "Sinh hoạt chuyên đề “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh” – Chi bộ cơ quan UBND xã"
    )
    assert str(event["LOCATION"]) == LONG_VENUE
    assert str(event["DESCRIPTION"]).startswith("Chương trình:\n1. Khai mạc\n2. ")


def test_text_values_escape_backslash_semicolon_comma_and_newlines(meeting):
    meeting.venue = "Phòng 2, tầng 3; nhà A\\B"
    AgendaItem.objects.filter(meeting=meeting, order=1).update(title="Khai mạc; điểm danh, thu đảng phí")

    text = meeting_ics(meeting, method="REQUEST")

    assert prop(text, "LOCATION") == "Phòng 2\\, tầng 3\\; nhà A\\\\B"
    description = unescape(prop(text, "DESCRIPTION"))
    assert "1. Khai mạc; điểm danh, thu đảng phí\n2. " in description


def test_commas_semicolons_and_line_breaks_round_trip_and_control_characters_are_dropped(meeting):
    meeting.venue = "Phòng 2, tầng 3; nhà A\\B\x07"
    AgendaItem.objects.filter(meeting=meeting, order=1).update(title="Khai mạc;\r\nđiểm danh, thu đảng phí")

    event = parsed_event(meeting_ics(meeting, method="REQUEST"))

    assert str(event["LOCATION"]) == "Phòng 2, tầng 3; nhà A\\B"
    assert "\n1. Khai mạc;\nđiểm danh, thu đảng phí\n2. " in str(event["DESCRIPTION"])


def test_the_event_has_a_fixed_plus_seven_time_zone_and_utc_stamp(meeting):
    text = meeting_ics(meeting, method="REQUEST", now=datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC))
    lines = unfold(text)

    block = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Asia/Ho_Chi_Minh" in block
    assert "TZOFFSETFROM:+0700" in block and "TZOFFSETTO:+0700" in block
    assert "BEGIN:DAYLIGHT" not in block
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261104T140000" in lines
    assert "DTSTAMP:20261101T093000Z" in lines
    assert lines.index("END:VTIMEZONE") < lines.index("BEGIN:VEVENT")
    assert lines.count("BEGIN:VEVENT") == 1
    assert [line for line in lines if line.startswith(("PRODID:", "VERSION:"))] == [
        "PRODID:-//Chi bo//Sinh hoat chi bo//VI",
        "VERSION:2.0",
    ]
    calendar = Calendar.from_ical(text)
    assert [timezone.tz_name for timezone in calendar.timezones] == ["Asia/Ho_Chi_Minh"]
    start = calendar.events[0].start
    assert start == datetime.datetime(2026, 11, 4, 14, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert start.utcoffset() == datetime.timedelta(hours=7)


@pytest.mark.parametrize(
    ("kind", "topic", "end"),
    [("regular", "", "153000"), ("thematic", "Chuyển đổi số", "160000"), ("extraordinary", "", "153000")],
)
def test_the_event_lasts_the_minimum_length_for_its_kind(world, kind, topic, end):
    meeting = make_meeting(world.cell_a, kind=kind, topic=topic, planned_date=datetime.date(2026, 11, 18))

    assert f"DTEND;TZID=Asia/Ho_Chi_Minh:20261118T{end}" in unfold(meeting_ics(meeting, method="REQUEST"))


@pytest.mark.parametrize(
    ("kind", "topic", "minutes"), [("regular", "", 100), ("thematic", "Chuyển đổi số", 60), ("extraordinary", "", 100)]
)
def test_the_event_length_follows_the_policy_in_force_and_an_extraordinary_meeting_takes_the_regular_one(
    world, kind, topic, minutes
):
    Policy.objects.create(
        organization=world.commune,
        valid_from=datetime.date(2026, 1, 1),
        name="Quy định của xã",
        source="Văn bản thử",
        min_minutes_regular=100,
        min_minutes_thematic=60,
    )
    meeting = make_meeting(world.cell_a, kind=kind, topic=topic, planned_date=datetime.date(2026, 11, 18))

    event = parsed_event(meeting_ics(meeting, method="REQUEST"))

    assert event.end - event.start == datetime.timedelta(minutes=minutes)


def test_the_uid_stays_and_the_sequence_rises_across_update_and_cancel(world, meeting, settings):
    settings.SITE_URL = "https://chibo.example.vn"
    services.meeting_publish(meeting=meeting, by=world.secretary_user)
    meeting.refresh_from_db()
    first = meeting_ics(meeting, method="REQUEST")
    # The site moves between the agenda and the update, and again before the cancellation: members' calendars must
    # still find the event they have.
    settings.SITE_URL = "https://sinhhoat.dongnai.example.vn"
    services.meeting_update_plan(
        meeting=meeting,
        version=meeting.version,
        kind="regular",
        planned_date=datetime.date(2026, 11, 5),
        planned_time=datetime.time(8, 0),
        venue="Nhà văn hóa ấp 1",
    )
    meeting.refresh_from_db()
    updated = meeting_ics(meeting, method="REQUEST")
    settings.SITE_URL = "http://127.0.0.1:8100"
    services.meeting_cancel(meeting=meeting, reason="Bão", by=world.secretary_user)
    meeting.refresh_from_db()
    cancelled = meeting_ics(meeting, method="CANCEL")

    uid = prop(first, "UID")
    assert [prop(text, "UID") for text in (first, updated, cancelled)] == [uid, uid, uid]
    assert [prop(text, "SEQUENCE") for text in (first, updated, cancelled)] == ["0", "1", "2"]
    assert [prop(text, "METHOD") for text in (first, updated, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [prop(text, "STATUS") for text in (first, updated, cancelled)] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261105T080000" in unfold(updated)
    assert "Lý do: Bão" in unescape(prop(cancelled, "DESCRIPTION"))
    events = [parsed_event(text) for text in (first, updated, cancelled)]
    assert [(str(event["UID"]), event["SEQUENCE"]) for event in events] == [(uid, 0), (uid, 1), (uid, 2)]


def test_the_uid_names_no_host_and_is_the_meetings_own(world, meeting, settings):
    settings.SITE_URL = "https://chibo.example.vn"
    other = make_meeting(world.cell_b, planned_date=datetime.date(2026, 11, 4))

    uids = [prop(meeting_ics(m, method="REQUEST"), "UID") for m in (meeting, other)]

    assert uids == [meeting.calendar_uid, other.calendar_uid]
    assert uids[0] != uids[1]
    for uid in uids:
        assert str(uuid.UUID(uid)) == uid  # RFC 7986, 5.3: a UUID, naming no host
        assert "chibo" not in uid


def test_the_organizer_is_the_cell_by_name_at_the_sites_address_and_the_attendee_the_recipient(meeting, settings):
    settings.DEFAULT_FROM_EMAIL = '"Chi bộ: thông báo, nhắc lịch" <no-reply@chibo.example.vn>'

    event = parsed_event(meeting_ics(meeting, method="REQUEST", attendee=("Đỗ Thanh Hài", "hai@example.vn")))

    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
    assert str(organizer) == "mailto:no-reply@chibo.example.vn"
    assert dict(organizer.params) == {"CN": "Chi bộ cơ quan UBND xã"}
    assert str(attendee) == "mailto:hai@example.vn"
    assert dict(attendee.params) == {
        "CN": "Đỗ Thanh Hài",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",
    }


def test_the_organizer_is_named_as_the_cell_was_named_on_the_meetings_day(world, meeting):
    from cells.models import OrganizationName

    OrganizationName.objects.create(
        organization=world.cell_a,
        name="Chi bộ cơ quan Ủy ban nhân dân xã Xuân Hiệp",
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2026, 12, 1),
    )

    event = parsed_event(meeting_ics(meeting, method="REQUEST"))

    assert event["ORGANIZER"].params["CN"] == "Chi bộ cơ quan Ủy ban nhân dân xã Xuân Hiệp"


def alarms(text: str) -> list:
    return parsed_event(text).walk("VALARM")


def test_the_event_rings_an_hour_before_by_default(meeting):
    text = meeting_ics(meeting, method="REQUEST")

    [alarm] = alarms(text)
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == -datetime.timedelta(hours=1)
    assert str(alarm["DESCRIPTION"]) == "Sinh hoạt định kỳ tháng 11/2026 – Chi bộ cơ quan UBND xã"
    lines = unfold(text)
    block = lines[lines.index("BEGIN:VALARM") : lines.index("END:VALARM") + 1]
    assert "TRIGGER:-PT1H" in block
    assert lines.index("END:VALARM") < lines.index("END:VEVENT")


def test_the_alarm_rings_as_long_before_as_the_policy_in_force_on_the_meetings_day_says(world):
    for valid_from, minutes in [(datetime.date(2026, 1, 1), 1440), (datetime.date(2026, 11, 5), 30)]:
        Policy.objects.create(
            organization=world.commune,
            valid_from=valid_from,
            name=f"Quy định của xã từ {valid_from}",
            source="Văn bản thử",
            reminder_minutes=minutes,
        )
    on_the_4th = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    on_the_18th = make_meeting(
        world.cell_a, kind="thematic", topic="Chuyển đổi số", planned_date=datetime.date(2026, 11, 18)
    )

    [before] = alarms(meeting_ics(on_the_4th, method="REQUEST"))
    [after] = alarms(meeting_ics(on_the_18th, method="PUBLISH"))

    assert before["TRIGGER"].dt == -datetime.timedelta(days=1)
    assert after["TRIGGER"].dt == -datetime.timedelta(minutes=30)


def test_a_cancelled_event_rings_no_alarm(world, meeting):
    services.meeting_cancel(meeting=meeting, reason="Bão", by=world.secretary_user)
    meeting.refresh_from_db()

    assert alarms(meeting_ics(meeting, method="CANCEL")) == []
    assert alarms(meeting_ics(meeting, method="PUBLISH")) == []


def test_the_time_zone_carries_no_english_comment(meeting):
    text = meeting_ics(meeting, method="REQUEST")

    assert "COMMENT" not in text
    assert "This timezone" not in text


def test_an_unknown_method_is_refused(meeting):
    with pytest.raises(ValueError, match="method"):
        meeting_ics(meeting, method="REPLY")
