"""Smaller hardening (issue 11, point 11): a cap on the request body before it is read, signed-in pages never cached,
implausible dates refused with a message."""

import pytest
from django.urls import reverse

from meetings.models import Material, Meeting
from members.models import Member
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def test_a_body_over_the_cap_is_refused_before_it_is_read(client, world, settings):
    meeting = make_meeting(world.cell_a)
    client.force_login(world.secretary_user)

    # The declared length is 20 MB; the body is a few bytes: reading it would fail, a 413 never reads it.
    response = client.post(
        reverse("meetings:material_add", args=[meeting.pk]), {"name": "x"}, CONTENT_LENGTH=str(20 * 1024 * 1024)
    )

    assert response.status_code == 413
    assert "Mỗi lần gửi tối đa 11 MB. Không có gì được lưu" in response.content.decode()
    assert not Material.objects.exists()


def test_a_body_under_the_cap_goes_through(client, world):
    meeting = make_meeting(world.cell_a)
    client.force_login(world.secretary_user)

    response = client.post(reverse("meetings:material_add", args=[meeting.pk]), {"name": "x"})

    assert response.status_code != 413


def test_signed_in_pages_are_never_cached(client, world):
    client.force_login(world.secretary_user)

    for url in ("/", f"/to-chuc/{world.cell_a.pk}/", f"/dang-vien/{world.member.pk}/"):
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("9999-12-31", "Ngày 31/12/9999 không hợp lệ: hãy nhập một ngày từ năm 1900 đến năm 2036."),
        ("2028-06-04", "Ngày họp quá xa trong tương lai: chỉ lập kế hoạch trong vòng một năm tới."),
    ],
)
def test_an_implausible_meeting_date_is_refused_and_nothing_is_written(client, world, day, message):
    client.force_login(world.secretary_user)

    response = client.post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {"kind": "regular", "planned_date": day, "planned_time": "14:00", "venue": "Hội trường"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["planned_date"] == [message]
    assert not Meeting.objects.exists()


def test_an_implausible_birth_date_is_refused(client, world):
    client.force_login(world.secretary_user)
    before = Member.objects.count()

    response = client.post(
        reverse("members:add", args=[world.cell_a.pk]),
        {"full_name": "Lê Văn Mới", "birth_date": "0202-03-01", "admission_date": "2015-03-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [
        "Ngày 01/03/202 không hợp lệ: hãy nhập một ngày từ năm 1900 đến năm 2036."
    ]
    assert Member.objects.count() == before
