"""Fixtures of the meetings tests: a commune committee member who follows cell A of the ``world``."""

import datetime
from types import SimpleNamespace

import pytest

from meetings import services
from members.models import Assignment
from tests.factories import UserFactory, make_member, seat


@pytest.fixture
def follower(world):
    """``capuy.a``: a commune committee member (a seat on ``world.commune``'s committee) who lives in cell B and is
    assigned to follow cell A; the province asks commune committee members for two visits a quarter."""
    user = UserFactory(username="capuy.a")
    member = make_member(world.cell_b, full_name="Lê Văn Cấp", user=user)
    committee_seat = seat(member, world.commune)
    committee_seat.title = "Ủy viên Ban Chấp hành Đảng bộ xã"
    committee_seat.save(update_fields=["title"])
    assignment = Assignment.objects.create(
        seat=committee_seat, organization=world.cell_a, valid_from=datetime.date(2020, 1, 1)
    )
    services.quota_set_create(
        organization=world.province,
        name="Định mức dự sinh hoạt của tỉnh",
        source="Quy định 01-QĐ/TU",
        valid_from=datetime.date(2020, 1, 1),
        lines=[{"committee_kind": "commune", "rank": "committee", "period": "quarter", "count": 2, "target": "any"}],
    )
    return SimpleNamespace(user=user, member=member, seat=committee_seat, assignment=assignment)
