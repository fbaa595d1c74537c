"""The policy page: the rules in force for an organization on a date and where each comes from, the history, adding
a policy (or a preset) and editing one not yet in force; access, validation and the query count."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from cells.models import Policy
from tests.factories import make_cell, make_org

pytestmark = pytest.mark.django_db

D = datetime.date
# 22 November 2026, 16:00 in Hanoi.
NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def page(organization, day=None) -> str:
    url = reverse("reports:organization_policy", args=[organization.pk])
    return f"{url}?ngay={day}" if day else url


def login(client, user):
    client.force_login(user)
    return client


def add(organization, valid_from, name="Quy định", source="Văn bản thử", **values) -> Policy:
    return Policy.objects.create(organization=organization, valid_from=valid_from, name=name, source=source, **values)


def rule_row(body: str, name: str) -> str:
    """The text of one rule's row, tags stripped and spaces collapsed."""
    match = re.search(rf'<tr data-testid="rule-{name}">(.*?)</tr>', body, re.S)
    assert match, name
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def snapshot() -> list:
    return list(Policy.objects.order_by("pk").values())


@pytest.fixture
def policies(world):
    """A province policy from January (60 minutes, citing a linked regulation) and a commune policy from July
    (5 speakers)."""
    province = add(
        world.province,
        D(2026, 1, 1),
        name="Quy định của Tỉnh ủy",
        source="Quy định 01-QĐ/TU",
        min_minutes_regular=60,
        min_member_speakers=6,
    )
    province.source_url = "https://example.vn/qd-01"
    province.save()
    commune = add(
        world.commune, D(2026, 7, 1), name="Quy định của Đảng ủy xã", source="Kết luận 05-KL/ĐU", min_member_speakers=5
    )
    return province, commune


def valid(**overrides) -> dict:
    data = {
        "valid_from": "2027-01-01",
        "name": "Quy định năm 2027",
        "source": "Quy định 09-QĐ/ĐU ngày 15/11/2026",
        "source_url": "",
        "min_minutes_regular": "100",
    }
    data.update(overrides)
    return data


# --- Reading --------------------------------------------------------------------------------------------------------


def test_the_page_shows_every_rule_with_its_value_and_where_it_comes_from(client, world, policies):
    body = login(client, world.board_user).get(page(world.cell_a)).content.decode()

    regular = rule_row(body, "min_minutes_regular")
    assert "60 phút" in regular
    assert "Quy định của Tỉnh ủy" in regular and "Đảng bộ tỉnh Đồng Nai" in regular and "từ 01/01/2026" in regular
    assert '<a href="https://example.vn/qd-01" rel="noopener noreferrer" target="_blank">Quy định 01-QĐ/TU</a>' in body
    speakers = rule_row(body, "min_member_speakers")
    assert "5 đảng viên" in speakers and "Quy định của Đảng ủy xã" in speakers and "Đảng bộ xã Xuân Hiệp" in speakers
    thematic = rule_row(body, "min_minutes_thematic")
    assert "120 phút" in thematic and "Mặc định của hệ thống" in thematic
    assert "Chi bộ cơ quan UBND xã Xuân Hiệp" in thematic  # the default's own citation
    assert "Không" in rule_row(body, "guests_may_vote")
    reminder = rule_row(body, "reminder_minutes")
    assert "Nhắc lịch trước giờ họp (phút)" in reminder
    assert "60 phút" in reminder and "Mặc định của hệ thống" in reminder
    report_days = rule_row(body, "visit_report_days")
    assert "7 ngày" in report_days and "Mặc định của hệ thống" in report_days
    assert body.count('<tr data-testid="rule-') == 16
    assert "Áp dụng cho Chi bộ cơ quan UBND xã ngày 22/11/2026" in body


def test_the_date_switch_shows_the_rules_of_that_day(client, world, policies):
    client = login(client, world.board_user)

    june = client.get(page(world.cell_a, "2026-06-30")).content.decode()
    july = client.get(page(world.cell_a, "2026-07-01")).content.decode()
    last_year = client.get(page(world.cell_a, "2025-12-31")).content.decode()

    assert "6 đảng viên" in rule_row(june, "min_member_speakers")
    assert "5 đảng viên" in rule_row(july, "min_member_speakers")
    assert "90 phút" in rule_row(last_year, "min_minutes_regular")
    assert "Mặc định của hệ thống" in rule_row(last_year, "min_minutes_regular")
    assert 'value="2026-06-30"' in june


def test_a_wrong_date_shows_today_with_a_warning(client, world, policies):
    body = login(client, world.board_user).get(page(world.cell_a, "2026-02-30")).content.decode()

    assert "Ngày không hợp lệ" in body
    assert "5 đảng viên" in rule_row(body, "min_member_speakers")


def test_the_query_url_takes_the_organization_and_the_date(client, world, policies):
    url = reverse("reports:policy")
    client = login(client, world.board_user)

    body = client.get(url, {"to_chuc": world.cell_a.pk, "ngay": "2026-03-01"}).content.decode()

    assert "Áp dụng cho Chi bộ cơ quan UBND xã ngày 01/03/2026" in body
    assert "6 đảng viên" in rule_row(body, "min_member_speakers")
    assert client.get(url, {"to_chuc": "abc"}).status_code == 404


def test_without_an_organization_the_page_opens_the_top_of_what_the_user_sees(client, world, policies):
    body = login(client, world.board_user).get(reverse("reports:policy")).content.decode()

    assert "Áp dụng cho Đảng bộ xã Xuân Hiệp" in body


def test_the_history_lists_the_policies_of_the_organization_and_its_ancestors_only(client, world, policies):
    add(world.other_commune, D(2026, 1, 1), name="Quy định xã Xuân Lộc", min_minutes_regular=50)
    add(world.commune, D(2026, 1, 1), name="Quy định cũ của xã", min_member_speakers=7)
    add(world.commune, D(2027, 1, 1), name="Quy định sắp tới", min_member_speakers=8)

    body = login(client, world.board_user).get(page(world.cell_a, "2026-08-01")).content.decode()
    history = body[body.index('data-testid="policy-history"') :]

    assert "Quy định xã Xuân Lộc" not in body
    names = re.findall(r"Từ (\d\d/\d\d/\d{4})</span>\s*· ([^<]+)", history)
    # Newest first; on the same date the nearer organization first.
    assert [(day, name.strip()) for day, name in names] == [
        ("01/01/2027", "Quy định sắp tới"),
        ("01/07/2026", "Quy định của Đảng ủy xã"),
        ("01/01/2026", "Quy định cũ của xã"),
        ("01/01/2026", "Quy định của Tỉnh ủy"),
    ]
    assert "chưa có hiệu lực" in history and "đã được thay thế" in history and "áp dụng ngày 01/08/2026" in history
    assert "Số đảng viên phát biểu tối thiểu: <strong>8 đảng viên</strong>" in history


def test_a_read_only_user_sees_no_form_and_no_edit_link(client, world, policies):
    add(world.commune, D(2027, 1, 1), min_member_speakers=8)

    body = login(client, world.board_user).get(page(world.commune)).content.decode()

    assert 'data-testid="policy-form"' not in body
    assert "/sua/" not in body


def test_a_writer_sees_the_form_prefilled_from_the_organizations_own_latest_policy(client, world, policies):
    add(world.commune, D(2027, 1, 1), name="Quy định năm 2027", min_member_speakers=8)

    body = login(client, world.board_writer).get(page(world.commune)).content.decode()

    assert 'data-testid="policy-form"' in body
    # From the latest one, not yet in force: a policy added after it replaces it, so nothing of it is lost unseen.
    assert re.search(r'name="min_member_speakers"[^>]*value="8"', body)
    assert "giá trị của quy định gần nhất của tổ chức này, “Quy định năm 2027” (từ 01/01/2027)" in body
    assert "Để trống để kế thừa (đang áp dụng: 60)." in body
    assert "Hướng dẫn 42-HD/BTCTW (2025)" in body  # the preset select
    future = Policy.objects.get(valid_from=D(2027, 1, 1))
    assert reverse("reports:policy_edit", args=[world.commune.pk, future.pk]) in body
    # The province's policy is not the commune writer's to edit.
    assert reverse("reports:policy_edit", args=[world.province.pk, policies[0].pk]) not in body


def test_the_organization_page_links_to_its_policy(client, world):
    body = login(client, world.board_user).get(reverse("members:organization", args=[world.cell_a.pk])).content
    assert page(world.cell_a).encode() in body


def test_the_page_runs_in_a_constant_number_of_queries(client, world, django_assert_num_queries):
    client = login(client, world.board_writer)

    # session, user, organization, six scope queries, ancestors, the policies of the chain (history and values), the
    # visit quota sets of the chain (their lines: one more when there is one).
    with django_assert_num_queries(12):
        client.get(page(world.cell_a))
    for month in range(1, 13):
        add(world.province, D(2026, month, 1), min_minutes_regular=60 + month)
        add(world.commune, D(2026, month, 1), min_member_speakers=month)
        add(make_cell(world.commune), D(2026, month, 1), min_member_speakers=month)
    with django_assert_num_queries(12):
        body = client.get(page(world.cell_a)).content.decode()
    assert body.count('data-testid="history-item"') == 24


# --- Access ---------------------------------------------------------------------------------------------------------


def test_it_hides_other_cells(client, world, policies):
    future = add(world.commune, D(2027, 1, 1), min_member_speakers=8)
    client = login(client, world.outsider_user)

    assert client.get(page(world.cell_a)).status_code == 404
    assert client.get(reverse("reports:policy"), {"to_chuc": world.commune.pk}).status_code == 404
    assert client.post(page(world.commune), valid()).status_code == 404
    assert client.get(reverse("reports:policy_edit", args=[world.commune.pk, future.pk])).status_code == 404
    assert client.get(page(world.cell_b)).status_code == 200  # their own cell


def test_it_requires_write_access(client, world, policies):
    future = add(world.commune, D(2027, 1, 1), min_member_speakers=8)
    before = snapshot()
    client = login(client, world.board_user)

    assert client.post(page(world.commune), valid()).status_code == 403
    assert client.get(reverse("reports:policy_edit", args=[world.commune.pk, future.pk])).status_code == 403
    assert client.post(reverse("reports:policy_edit", args=[world.commune.pk, future.pk]), valid()).status_code == 403
    assert snapshot() == before


def test_a_member_sees_their_cells_rules_but_cannot_add_any(client, world, policies):
    client = login(client, world.member_user)

    body = client.get(page(world.cell_a)).content.decode()

    assert "5 đảng viên" in rule_row(body, "min_member_speakers")
    assert 'data-testid="policy-form"' not in body
    assert client.post(page(world.cell_a), valid()).status_code == 403


def test_a_cells_secretary_writes_the_cell_but_not_the_rules_it_is_judged_by(client, world, policies):
    future = add(world.cell_a, D(2027, 1, 1), min_member_speakers=8)  # set by the commune above
    before = snapshot()
    client = login(client, world.secretary_user)

    body = client.get(page(world.cell_a)).content.decode()

    assert 'data-testid="policy-form"' not in body
    assert "/sua/" not in body
    assert "chi bộ không tự đặt quy định cho mình" in body
    assert client.post(page(world.cell_a), valid(min_member_speakers="1")).status_code == 403
    assert client.get(reverse("reports:policy_edit", args=[world.cell_a.pk, future.pk])).status_code == 403
    assert client.post(reverse("reports:policy_edit", args=[world.cell_a.pk, future.pk]), valid()).status_code == 403
    assert snapshot() == before
    # The commune's writers set the cell's rules.
    body = login(client, world.board_writer).get(page(world.cell_a)).content.decode()
    assert 'data-testid="policy-form"' in body and "chi bộ không tự đặt" not in body
    assert client.post(page(world.cell_a), valid(valid_from="2027-02-01", min_member_speakers="6")).status_code == 302


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    response = client.get(page(world.commune))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


# --- Adding ---------------------------------------------------------------------------------------------------------


def test_a_board_writer_adds_a_policy_that_applies_from_its_date(client, world, policies):
    client = login(client, world.board_writer)

    response = client.post(page(world.commune), valid(source_url="https://example.vn/qd-09", guests_may_vote="1"))

    assert response.status_code == 302
    assert response["Location"] == page(world.commune, "2027-01-01")
    policy = Policy.objects.get(organization=world.commune, valid_from=D(2027, 1, 1))
    assert (policy.name, policy.source, policy.source_url) == (
        "Quy định năm 2027",
        "Quy định 09-QĐ/ĐU ngày 15/11/2026",
        "https://example.vn/qd-09",
    )
    assert (policy.min_minutes_regular, policy.guests_may_vote, policy.min_member_speakers) == (100, True, None)
    body = client.get(response["Location"]).content.decode()
    assert "Đã thêm quy định “Quy định năm 2027”, áp dụng từ ngày 01/01/2027." in body
    assert "100 phút" in rule_row(body, "min_minutes_regular")
    assert "6 đảng viên" in rule_row(body, "min_member_speakers")  # left empty: inherited from the province
    # Until then the old rules hold.
    assert "60 phút" in rule_row(client.get(page(world.commune, "2026-12-31")).content.decode(), "min_minutes_regular")


def test_a_policy_may_start_today(client, world):
    response = login(client, world.board_writer).post(page(world.commune), valid(valid_from="2026-11-22"))

    assert response.status_code == 302
    assert Policy.objects.get().valid_from == D(2026, 11, 22)


def test_loading_a_preset_from_the_page_takes_its_name_source_and_values(client, world):
    response = login(client, world.board_writer).post(
        page(world.commune),
        {"preset": "hd42-2025", "valid_from": "2026-12-01", "name": "", "source": "", "min_minutes_regular": "90"},
    )

    assert response.status_code == 302
    policy = Policy.objects.get()
    assert policy.name == "Hướng dẫn 42-HD/BTCTW (2025)"
    assert "42-HD/BTCTW ngày 28/10/2025" in policy.source
    assert (policy.min_minutes_regular, policy.min_minutes_thematic, policy.agenda_send_days) == (90, 90, 3)
    assert policy.min_member_speakers is None and policy.strike_off_absences is None  # not in the preset: inherited


def test_a_value_typed_over_a_preset_needs_the_writers_own_source(client, world):
    client = login(client, world.board_writer)
    data = {"preset": "hd42-2025", "valid_from": "2026-12-01", "name": "", "source": "", "min_member_speakers": "5"}

    # The preset's document does not set 5 speakers: it cannot be its source.
    response = client.post(page(world.commune), data)
    assert response.status_code == 200 and not Policy.objects.exists()
    assert "Đồng chí đã nhập giá trị khác bộ mẫu: ghi căn cứ của quy định này" in response.content.decode()

    data["source"] = "Quy định 09-QĐ/ĐU ngày 15/11/2026 của Đảng ủy xã Xuân Hiệp"
    assert client.post(page(world.commune), data).status_code == 302
    policy = Policy.objects.get()
    assert policy.source == "Quy định 09-QĐ/ĐU ngày 15/11/2026 của Đảng ủy xã Xuân Hiệp"
    assert policy.name.startswith("Quy định của Đảng bộ xã Xuân Hiệp")  # its own, not the preset's
    assert policy.note.startswith("Dựa trên bộ mẫu “Hướng dẫn 42-HD/BTCTW (2025)” (Hướng dẫn số 42-HD/BTCTW")
    assert (policy.min_minutes_regular, policy.min_member_speakers) == (90, 5)  # the preset's, and the typed one


def served(body: str) -> dict:
    """The policy form's fields as the page serves them (what a browser posts back untouched)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body):
        data[name] = html.unescape(value)
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    data.pop("ngay", None)
    return data


def test_choosing_a_preset_on_the_prefilled_form_replaces_the_previous_values(client, world):
    add(world.commune, D(2026, 1, 1), source="Quy định 01", min_member_speakers=5, guests_may_vote=True)
    client = login(client, world.board_writer)
    data = served(client.get(page(world.commune)).content.decode())
    assert (data["min_member_speakers"], data["guests_may_vote"]) == ("5", "1")  # the flag is shown as it is

    data.update({"preset": "hd42-2025", "valid_from": "2026-12-01"})
    assert client.post(page(world.commune), data).status_code == 302

    policy = Policy.objects.get(valid_from=D(2026, 12, 1))
    assert policy.name == "Hướng dẫn 42-HD/BTCTW (2025)" and "42-HD/BTCTW" in policy.source
    # The previous policy's values, left as served, are not the writer's: the preset replaces that policy.
    assert (policy.min_member_speakers, policy.guests_may_vote, policy.min_minutes_regular) == (None, None, 90)

    # A served value the writer changed counts as typed: it needs their source.
    data.update({"valid_from": "2026-12-02", "min_member_speakers": "6"})
    response = client.post(page(world.commune), data)
    assert response.status_code == 200 and "Đồng chí đã nhập giá trị khác bộ mẫu" in response.content.decode()


def test_without_a_preset_the_served_values_are_the_new_policys(client, world):
    add(world.commune, D(2026, 1, 1), source="Quy định 01", min_member_speakers=5, guests_may_vote=False)
    client = login(client, world.board_writer)
    data = served(client.get(page(world.commune)).content.decode())
    data.update({"valid_from": "2026-12-01", "source": "Quy định 02", "min_minutes_regular": "100"})

    assert client.post(page(world.commune), data).status_code == 302
    policy = Policy.objects.get(valid_from=D(2026, 12, 1))
    assert (policy.min_member_speakers, policy.guests_may_vote, policy.min_minutes_regular) == (5, False, 100)


def test_a_secretary_cannot_set_the_rules_of_a_party_group_of_their_cell(client, world):
    group = make_org(world.cell_a, name="Tổ đảng 1", kind="party_group")
    client = login(client, world.secretary_user)

    assert client.post(page(group), valid()).status_code == 403
    assert not Policy.objects.exists()
    assert login(client, world.board_writer).post(page(group), valid()).status_code == 302


def test_the_defaults_preset_cites_each_rules_source_in_the_note(client, world):
    login(client, world.board_writer).post(page(world.commune), {"preset": "mac-dinh", "valid_from": "2026-12-01"})

    policy = Policy.objects.get()
    assert policy.name == "Mặc định theo các bài viết nguồn"
    assert policy.smallest_cell_official == 3 and policy.guests_may_vote is False
    assert "Điều lệ Đảng, Điều 24" in policy.note


def test_an_administrator_may_record_a_policy_from_a_past_date(client, world):
    response = login(client, world.admin).post(page(world.province), valid(valid_from="2025-10-28"))

    assert response.status_code == 302
    assert Policy.objects.get().valid_from == D(2025, 10, 28)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_from": ""}, "Nhập ngày bắt đầu áp dụng."),
        ({"valid_from": "31/12/2026"}, "Ngày không hợp lệ."),
        ({"source": ""}, "Ghi căn cứ của quy định (số, ngày và cơ quan ban hành văn bản)."),
        ({"min_minutes_regular": ""}, "Quy định phải đặt ít nhất một giá trị."),
        ({"min_minutes_regular": "0"}, "Giá trị phải từ 1 đến 600 phút."),
        ({"min_minutes_regular": "601"}, "Giá trị phải từ 1 đến 600 phút."),
        ({"min_minutes_regular": "chín mươi"}, "Nhập một số nguyên."),
        ({"min_member_speakers": "0"}, "Giá trị phải từ 1 đến 100 đảng viên."),
        ({"confirm_over_minutes": "30"}, "Giá trị phải từ 60 đến 1440 phút."),
        ({"agenda_lead_days": "5", "agenda_send_days": "2"}, "không được ít hơn số ngày gửi tối thiểu (5)"),
        ({"source_url": "not a url"}, "Nhập một địa chỉ web hợp lệ"),
        ({"valid_from": "2026-11-21"}, "Quy định mới chỉ áp dụng từ ngày 22/11/2026 trở đi"),
        ({"preset": "yen-bai"}, "Chọn một bộ quy định mẫu trong danh sách."),
    ],
)
def test_bad_input_gets_a_vietnamese_message_on_the_form_and_writes_nothing(
    client, world, policies, overrides, message
):
    before = snapshot()

    response = login(client, world.board_writer).post(page(world.commune), valid(**overrides))

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'data-testid="policy-form"' in body
    assert "Để trống để kế thừa (đang áp dụng: 5)." in body  # the hints stay on the refused form
    assert snapshot() == before


def test_a_second_policy_on_the_same_organization_and_date_is_refused(client, world):
    add(world.commune, D(2027, 1, 1), min_minutes_regular=95)
    before = snapshot()

    response = login(client, world.board_writer).post(page(world.commune), valid())

    assert "Tổ chức này đã có quy định áp dụng từ ngày này." in response.content.decode()
    assert snapshot() == before


def test_the_same_date_on_another_organization_is_fine(client, world):
    add(world.province, D(2027, 1, 1), min_minutes_regular=95)

    response = login(client, world.board_writer).post(page(world.commune), valid())

    assert response.status_code == 302 and Policy.objects.count() == 2


# --- Editing --------------------------------------------------------------------------------------------------------


def edit_url(policy) -> str:
    return reverse("reports:policy_edit", args=[policy.organization_id, policy.pk])


def test_a_policy_not_yet_in_force_can_be_edited(client, world):
    policy = add(world.commune, D(2027, 1, 1), name="Dự kiến", source="Dự thảo", min_minutes_regular=95)
    client = login(client, world.board_writer)

    form = client.get(edit_url(policy)).content.decode()
    response = client.post(edit_url(policy), valid(valid_from="2027-02-01", min_minutes_regular="105"))

    assert 'value="95"' in form and "chưa có hiệu lực nên còn sửa được" in form
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.valid_from, policy.min_minutes_regular, policy.source) == (
        D(2027, 2, 1),
        105,
        "Quy định 09-QĐ/ĐU ngày 15/11/2026",
    )


@pytest.mark.parametrize("valid_from", [D(2026, 1, 1), D(2026, 11, 22)])
def test_a_policy_in_force_or_past_cannot_be_edited(client, world, valid_from):
    policy = add(world.commune, valid_from, min_minutes_regular=95)
    before = snapshot()
    client = login(client, world.board_writer)

    shown = client.get(edit_url(policy))
    posted = client.post(edit_url(policy), valid(valid_from="2027-02-01"))

    assert shown.status_code == posted.status_code == 302
    assert shown["Location"] == page(world.commune)
    assert "hãy thêm quy định mới" in client.get(shown["Location"]).content.decode()
    assert snapshot() == before


def test_an_edited_policy_must_stay_in_the_future(client, world):
    policy = add(world.commune, D(2027, 1, 1), min_minutes_regular=95)
    before = snapshot()

    response = login(client, world.board_writer).post(edit_url(policy), valid(valid_from="2026-11-22"))

    assert "chỉ được dời tới một ngày sau hôm nay" in response.content.decode()
    assert snapshot() == before


def test_a_policy_is_edited_only_through_its_own_organization(client, world):
    policy = add(world.commune, D(2027, 1, 1), min_minutes_regular=95)

    url = reverse("reports:policy_edit", args=[world.cell_a.pk, policy.pk])

    assert login(client, world.board_writer).get(url).status_code == 404
