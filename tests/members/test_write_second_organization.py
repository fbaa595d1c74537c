"""A service that writes to a second organization (the cell a member moves to, the cell of a temporary attachment, a
post's cell, a new member's cell) checks write access there itself (issue 11, point 2): a secretary who may read the
whole commune but write only their own cell cannot move or attach a member into a neighbouring cell, neither through
the form's choices nor with a crafted POST."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Membership, Position, StatusChange
from members.services import member_create, member_status_change, member_transfer, position_assign
from tests.factories import grant, make_cell

pytestmark = pytest.mark.django_db
D = datetime.date
REFUSED = "Đồng chí không có quyền ghi ở Chi bộ ấp 2: chỉ chọn được tổ chức đồng chí quản lý."


@pytest.fixture
def neighbour(world):
    """A cell of the same commune, which the secretary of cell A may read (a grant on the commune) but not write."""
    cell = make_cell(world.commune, name="Chi bộ ấp 2", code="A2")
    grant(world.secretary_user, world.commune)
    return cell


def homes(member) -> list:
    return list(Membership.objects.filter(member=member).values_list("organization_id", "kind", "valid_to"))


def test_the_transfer_form_offers_only_cells_the_user_writes(client, world, neighbour):
    client.force_login(world.secretary_user)

    response = client.get(reverse("members:transfer", args=[world.plain_member.pk]))

    choices = list(response.context["form"].fields["to_cell"].queryset)
    assert neighbour not in choices and world.cell_b not in choices


def test_a_crafted_transfer_into_a_readable_cell_writes_nothing(client, world, neighbour):
    client.force_login(world.secretary_user)
    before = homes(world.plain_member)

    response = client.post(
        reverse("members:transfer", args=[world.plain_member.pk]), {"to_cell": neighbour.pk, "on": "2026-01-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["to_cell"] == ["Chi bộ này không có trong danh sách."]
    assert homes(world.plain_member) == before


def test_the_transfer_service_itself_refuses_a_cell_the_user_only_reads(world, neighbour):
    before = homes(world.plain_member)

    with pytest.raises(ValidationError) as refused:
        member_transfer(member=world.plain_member, to_cell=neighbour, on=D(2026, 1, 1), by=world.secretary_user)

    assert refused.value.message_dict == {"to_cell": [REFUSED]}
    assert homes(world.plain_member) == before


def test_a_writer_of_both_cells_transfers(world, neighbour):
    member_transfer(member=world.plain_member, to_cell=neighbour, on=D(2026, 1, 1), by=world.board_writer)

    assert Membership.objects.get(member=world.plain_member, valid_to__isnull=True).organization == neighbour


def test_the_status_form_offers_only_writable_cells_and_the_service_refuses_the_others(client, world, neighbour):
    client.force_login(world.secretary_user)
    response = client.get(reverse("members:status", args=[world.plain_member.pk]))
    assert neighbour not in list(response.context["form"].fields["attached_to"].queryset)
    changes = StatusChange.objects.count()

    with pytest.raises(ValidationError) as refused:
        member_status_change(
            member=world.plain_member,
            status="attached_elsewhere",
            effective_from=D(2026, 1, 1),
            attached_to=neighbour,
            by=world.secretary_user,
        )

    assert refused.value.message_dict == {"attached_to": [REFUSED]}
    assert StatusChange.objects.count() == changes
    assert not Membership.objects.filter(organization=neighbour).exists()


def test_posts_and_new_members_are_refused_in_a_cell_the_user_only_reads(world, neighbour):
    with pytest.raises(ValidationError) as refused:
        member_create(cell=neighbour, full_name="Trần Văn Mới", admission_date=D(2015, 3, 1), by=world.secretary_user)
    assert refused.value.message_dict == {"cell": [REFUSED]}
    assert not Membership.objects.filter(organization=neighbour).exists()

    member = member_create(
        cell=neighbour, full_name="Trần Văn Mới", admission_date=D(2015, 3, 1), by=world.board_writer
    )
    with pytest.raises(ValidationError) as refused:
        position_assign(
            member=member, organization=neighbour, role="secretary", valid_from=D(2026, 1, 1), by=world.secretary_user
        )
    assert refused.value.message_dict == {"role": [REFUSED]}
    assert not Position.objects.filter(organization=neighbour).exists()
