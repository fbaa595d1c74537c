"""The organization tree: subtree reads, moves, merges and renames that keep history, and their refusals."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from cells.models import Organization, OrganizationName
from cells.services import name_on, organization_create, organization_merge, organization_move, organization_rename
from members.access import Scope, scope_for, visible_organizations
from members.models import Assignment, Member
from tests.factories import UserFactory, grant, make_cell, make_member, make_org, make_secretary, seat

pytestmark = pytest.mark.django_db


D = datetime.date
MERGER = D(2025, 7, 1)


def fresh(organization: Organization) -> Organization:
    """Tree operations shift sibling paths: re-read a node before relying on its path."""
    return Organization.objects.get(pk=organization.pk)


def parent_of(organization: Organization) -> Organization | None:
    return Organization.objects.get_parent(fresh(organization), update=True)


def tree_snapshot():
    return (
        list(Organization.objects.order_by("pk").values_list("pk", "path", "numchild", "valid_to")),
        list(OrganizationName.objects.order_by("pk").values_list("pk", "parent_name", "valid_from", "valid_to")),
    )


def assert_tree_is_sound():
    problems = Organization.objects.find_problems()
    assert all(not found for found in problems), problems


# --- Reading a subtree ------------------------------------------------------------------------------------------


def test_a_subtree_is_one_query(world, django_assert_num_queries):
    for n in range(4):
        make_cell(world.commune, name=f"Chi bộ thôn {n}")
    commune = fresh(world.commune)

    with django_assert_num_queries(1):
        nodes = list(Organization.objects.within([commune.path]))

    assert nodes[0] == commune  # ordered by path: the root of the subtree first
    assert len(nodes) == 6  # the commune, cell A and the four new cells
    assert world.cell_b not in nodes
    assert world.province not in nodes


def test_several_subtrees_are_still_one_query(world, django_assert_num_queries):
    roots = [fresh(world.cell_a).path, fresh(world.cell_b).path]

    with django_assert_num_queries(1):
        nodes = list(Organization.objects.within(roots))

    assert set(nodes) == {world.cell_a, world.cell_b}


def test_no_subtree_is_no_node_and_no_query(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Organization.objects.within([])) == []


def test_visible_to_gives_an_admin_everything_and_others_their_read_paths(world):
    assert Organization.objects.visible_to(Scope(is_admin=True)).count() == Organization.objects.count()
    scope = Scope(read_paths=(fresh(world.other_commune).path,), member_paths=(fresh(world.cell_a).path,))
    # visible_to reads the read paths only: a cell where one is merely a member is not "readable".
    assert set(Organization.objects.visible_to(scope)) == {world.other_commune, world.cell_b}
    assert list(Organization.objects.visible_to(Scope())) == []


def test_cells_active_on_and_search_filter_the_tree(world):
    closed = make_cell(world.commune, name="Chi bộ thôn cũ", code="OLD")
    Organization.objects.filter(pk=closed.pk).update(valid_to=D(2025, 7, 1))
    closed.refresh_from_db()

    assert set(Organization.objects.cells()) == {world.cell_a, world.cell_b, closed}
    # valid_to is exclusive: a node ending on 1 July 2025 is not active that day.
    assert closed in Organization.objects.active_on(D(2025, 6, 30))
    assert closed not in Organization.objects.active_on(D(2025, 7, 1))
    assert closed.is_active_on(D(2025, 6, 30)) and not closed.is_active_on(D(2025, 7, 1))
    assert world.cell_a not in Organization.objects.active_on(D(1999, 12, 31))  # before its valid_from
    assert set(Organization.objects.search("xuân")) == {world.commune, world.other_commune}
    assert list(Organization.objects.search("c0")) == [world.commune, world.other_commune]  # code prefix
    assert Organization.objects.search("   ").count() == Organization.objects.count()


@pytest.mark.parametrize("cells", [5, 60])
def test_scope_and_visible_organizations_take_the_same_queries_at_any_tree_size(cells, django_assert_num_queries):
    province = make_org(None, name="Đảng bộ tỉnh Lào Cai", code="P99", kind="provincial")
    commune = make_org(province, name="Đảng bộ xã Bảo Hà", code="C99")
    made = [make_cell(commune, name=f"Chi bộ thôn {n:02d}") for n in range(cells)]
    board = UserFactory(username="board")
    grant(board, commune)
    make_secretary(made[0], UserFactory(username="secretary"))
    follower = make_member(made[1], user=UserFactory(username="follower"))
    Assignment.objects.create(seat=seat(follower, made[1]), organization=made[2], valid_from=D(2020, 1, 1))
    users = get_user_model().objects

    for username, expected in [("board", cells + 1), ("secretary", 1), ("follower", 2)]:
        # scope_for: 6 queries, whatever the tree: access grants, writing positions, committee seats,
        # assignments, memberships, the user's member id. Then the visible nodes: 1 prefix query.
        user = users.get(username=username)
        with django_assert_num_queries(6):
            scope_for(user)
        with django_assert_num_queries(0):
            scope_for(user)  # cached on the user for the request

        user = users.get(username=username)
        with django_assert_num_queries(7):
            nodes = list(visible_organizations(user))
        assert len(nodes) == expected


def test_an_admin_scope_takes_no_query(world, django_assert_num_queries):
    admin = get_user_model().objects.get(pk=world.admin.pk)

    with django_assert_num_queries(1):
        nodes = list(visible_organizations(admin))

    assert len(nodes) == Organization.objects.count()


# --- Merging ------------------------------------------------------------------------------------------------------


def test_merging_two_communes_moves_their_cells_under_the_new_one(world):
    target = make_org(world.province, name="Đảng bộ xã Xuân Hòa", code="C03", valid_from=MERGER)
    sources = [fresh(world.commune), fresh(world.other_commune)]

    organization_merge(sources=sources, target=fresh(target), on=MERGER)

    assert parent_of(world.cell_a) == target
    assert parent_of(world.cell_b) == target
    assert set(Organization.objects.within([fresh(target).path]).cells()) == {world.cell_a, world.cell_b}
    for source in sources:
        source = fresh(source)
        assert source.valid_to == MERGER  # ended: its last day is 30 June 2025
        assert source.numchild == 0
        assert list(Organization.objects.within([source.path])) == [source]
        assert source.is_active_on(D(2025, 6, 30)) and not source.is_active_on(MERGER)
        assert name_on(source, D(2025, 6, 30)).valid_to == MERGER
    assert set(target.formed_from.all()) == {world.commune, world.other_commune}
    assert list(world.commune.succeeded_by.all()) == [target]
    assert set(Organization.objects.active_on(MERGER).filter(kind="commune")) == {target}
    assert_tree_is_sound()


def test_merged_cells_print_their_old_parent_before_the_merger_and_the_new_one_after(world):
    target = make_org(world.province, name="Đảng bộ xã Xuân Hòa", code="C03", valid_from=MERGER)

    organization_merge(sources=[fresh(world.commune), fresh(world.other_commune)], target=fresh(target), on=MERGER)

    assert name_on(world.cell_a, D(2025, 6, 30)).parent_name == "Đảng bộ xã Xuân Hiệp"
    assert name_on(world.cell_b, D(2025, 6, 30)).parent_name == "Đảng bộ xã Xuân Lộc"
    assert name_on(world.cell_a, MERGER).parent_name == "Đảng bộ xã Xuân Hòa"
    assert name_on(world.cell_b, MERGER).parent_name == "Đảng bộ xã Xuân Hòa"
    assert name_on(world.cell_a, MERGER).name == "Chi bộ cơ quan UBND xã"
    # The cells' members did not move: a merger changes the tree, not the rosters.
    assert Member.objects.roster_of(world.cell_a, MERGER).count() == 3


def test_merging_with_nodes_loaded_before_the_target_was_created(world):
    # BUG: cells/services.py organization_merge() (and organization_move()) trust the in-memory paths of the nodes
    # they are given. Adding the target under the province with node_order_by=["name"] inserts it between the two
    # communes and shifts "Xuân Lộc" (and cell B) to new paths, so world.other_commune.path now names the *target*:
    # the merge refuses with "Tổ chức nhận hợp nhất không được nằm trong tổ chức bị hợp nhất." although nothing is
    # wrong (and with other names it could read the children of the wrong node). A form that creates the target and
    # merges the communes it loaded earlier hits this. The services should re-read sources, target and new parent
    # (treebeard's own move() refreshes its nodes for this reason).
    target = make_org(world.province, name="Đảng bộ xã Xuân Hòa", code="C03", valid_from=MERGER)

    organization_merge(sources=[world.commune, world.other_commune], target=target, on=MERGER)

    assert parent_of(world.cell_a) == target
    assert parent_of(world.cell_b) == target


def test_merging_refuses_a_target_inside_a_source(world):
    before = tree_snapshot()

    with pytest.raises(ValidationError) as refused:
        organization_merge(sources=[fresh(world.commune)], target=fresh(world.cell_a), on=MERGER)
    with pytest.raises(ValidationError):
        organization_merge(sources=[fresh(world.commune)], target=fresh(world.commune), on=MERGER)

    assert "không được nằm trong" in refused.value.message_dict["target"][0]
    assert tree_snapshot() == before
    assert not world.cell_a.formed_from.exists()


def test_a_refused_merge_writes_nothing(world):
    # cell A changed parent on 1 Aug 2025, so moving it again "from 1 July" is refused; the first source's
    # cells must not stay moved either.
    third = make_org(world.province, name="Đảng bộ xã Xuân Thọ", code="C04", valid_from=D(2024, 1, 1))
    organization_move(organization=fresh(world.cell_a), new_parent=fresh(third), on=D(2025, 8, 1))
    target = make_org(world.province, name="Đảng bộ xã Xuân Hòa", code="C03", valid_from=MERGER)
    before = tree_snapshot()

    with pytest.raises(ValidationError) as refused:
        organization_merge(sources=[fresh(world.other_commune), fresh(third)], target=fresh(target), on=MERGER)

    assert "Ngày chuyển phải sau ngày 01/08/2025" in refused.value.message_dict["on"][0]
    assert tree_snapshot() == before
    assert not target.formed_from.exists()


# --- Moving -------------------------------------------------------------------------------------------------------


def test_a_moved_cell_keeps_its_history(world):
    moved_on = D(2025, 3, 1)

    organization_move(organization=fresh(world.cell_a), new_parent=fresh(world.other_commune), on=moved_on)

    assert parent_of(world.cell_a) == world.other_commune
    assert world.cell_a not in Organization.objects.within([fresh(world.commune).path])
    assert name_on(world.cell_a, D(2025, 2, 28)).parent_name == "Đảng bộ xã Xuân Hiệp"
    assert name_on(world.cell_a, D(2025, 2, 28)).valid_to == moved_on
    assert name_on(world.cell_a, moved_on).parent_name == "Đảng bộ xã Xuân Lộc"
    assert name_on(world.cell_a, D(2030, 1, 1)).parent_name == "Đảng bộ xã Xuân Lộc"
    assert world.cell_a.names.count() == 2
    assert fresh(world.commune).numchild == 0
    assert fresh(world.other_commune).numchild == 2
    assert_tree_is_sound()


def test_moving_a_commune_takes_its_whole_subtree_along(world):
    other_province = make_org(None, name="Đảng bộ tỉnh Bình Phước", code="P02", kind="provincial")
    make_cell(world.commune, name="Chi bộ thôn 2", code="A2")

    organization_move(organization=fresh(world.commune), new_parent=fresh(other_province), on=MERGER)

    subtree = set(Organization.objects.within([fresh(other_province).path]))
    assert {world.commune, world.cell_a} <= subtree and len(subtree) == 4
    assert not set(Organization.objects.within([fresh(world.province).path])) & {world.commune, world.cell_a}
    assert name_on(world.commune, D(2025, 6, 30)).parent_name == "Đảng bộ tỉnh Đồng Nai"
    assert name_on(world.commune, MERGER).parent_name == "Đảng bộ tỉnh Bình Phước"
    # The cells kept their parent: their printed parent name has not changed.
    assert world.cell_a.names.count() == 1
    assert name_on(world.cell_a, MERGER).parent_name == "Đảng bộ xã Xuân Hiệp"
    assert_tree_is_sound()


def test_it_refuses_to_move_a_node_into_itself(world):
    before = tree_snapshot()

    with pytest.raises(ValidationError) as refused:
        organization_move(organization=fresh(world.commune), new_parent=fresh(world.commune), on=MERGER)

    assert "chính nó" in refused.value.message_dict["new_parent"][0]
    assert tree_snapshot() == before


def test_it_refuses_to_move_a_node_into_its_own_subtree(world):
    before = tree_snapshot()

    with pytest.raises(ValidationError) as refused:
        organization_move(organization=fresh(world.province), new_parent=fresh(world.commune), on=MERGER)

    assert refused.value.message_dict["new_parent"] == [
        "Không thể chuyển một tổ chức vào chính nó hoặc tổ chức cấp dưới của nó."
    ]
    assert tree_snapshot() == before


def test_it_refuses_to_move_a_node_under_a_cell(world):
    before = tree_snapshot()

    with pytest.raises(ValidationError) as refused:
        organization_move(organization=fresh(world.cell_b), new_parent=fresh(world.cell_a), on=MERGER)

    assert refused.value.message_dict["new_parent"] == ["Dưới chi bộ chỉ có tổ đảng."]
    assert tree_snapshot() == before


def test_it_refuses_a_move_dated_on_or_before_the_last_change(world):
    organization_move(organization=fresh(world.cell_a), new_parent=fresh(world.other_commune), on=D(2025, 3, 1))
    before = tree_snapshot()

    for day in (D(2025, 3, 1), D(2025, 2, 1)):
        with pytest.raises(ValidationError) as refused:
            organization_move(organization=fresh(world.cell_a), new_parent=fresh(world.commune), on=day)
        assert "Ngày chuyển phải sau ngày 01/03/2025" in refused.value.message_dict["on"][0]

    assert tree_snapshot() == before


# --- Renaming -----------------------------------------------------------------------------------------------------


def test_renaming_keeps_the_old_name_for_earlier_dates(world):
    organization_rename(
        organization=fresh(world.commune), name="  Đảng bộ phường Xuân Hiệp ", on=MERGER, place_name="Long Khánh"
    )

    commune = fresh(world.commune)
    assert (commune.name, commune.place_name) == ("Đảng bộ phường Xuân Hiệp", "Long Khánh")
    before, after = name_on(commune, D(2025, 6, 30)), name_on(commune, MERGER)
    assert (before.name, before.place_name, before.valid_to) == ("Đảng bộ xã Xuân Hiệp", "Xuân Hiệp", MERGER)
    assert (after.name, after.place_name, after.valid_to) == ("Đảng bộ phường Xuân Hiệp", "Long Khánh", None)
    assert after.parent_name == "Đảng bộ tỉnh Đồng Nai"
    assert name_on(commune, D(1999, 12, 31)) is None  # before the commune existed


def test_renaming_updates_the_childrens_printed_parent_name(world):
    organization_rename(organization=fresh(world.commune), name="Đảng bộ phường Xuân Hiệp", on=MERGER)

    assert name_on(world.cell_a, D(2025, 6, 30)).parent_name == "Đảng bộ xã Xuân Hiệp"
    assert name_on(world.cell_a, MERGER).parent_name == "Đảng bộ phường Xuân Hiệp"
    assert name_on(world.cell_a, MERGER).name == "Chi bộ cơ quan UBND xã"
    # Only the children: the cell in the other commune keeps its one record.
    assert world.cell_b.names.count() == 1


def test_renaming_twice_keeps_each_name_for_its_own_period(world):
    organization_rename(organization=fresh(world.commune), name="Tên thứ hai", on=D(2024, 1, 1))
    organization_rename(organization=fresh(world.commune), name="Tên thứ ba", on=MERGER)

    names = [name_on(world.commune, day).name for day in (D(2023, 12, 31), D(2024, 1, 1), D(2025, 6, 30), MERGER)]
    assert names == ["Đảng bộ xã Xuân Hiệp", "Tên thứ hai", "Tên thứ hai", "Tên thứ ba"]
    assert OrganizationName.objects.filter(organization=world.commune, valid_to__isnull=True).count() == 1


def test_renaming_refuses_an_empty_name_or_a_date_not_after_the_last_change(world):
    organization_rename(organization=fresh(world.commune), name="Tên mới", on=MERGER)
    before = tree_snapshot()

    with pytest.raises(ValidationError) as empty:
        organization_rename(organization=fresh(world.commune), name="   ", on=D(2026, 1, 1))
    with pytest.raises(ValidationError) as same_day:
        organization_rename(organization=fresh(world.commune), name="Tên khác", on=MERGER)
    with pytest.raises(ValidationError):
        organization_rename(organization=fresh(world.commune), name="Tên khác", on=D(2024, 1, 1))

    assert empty.value.message_dict["name"] == ["Nhập tên mới."]
    assert "Ngày đổi tên phải sau ngày 01/07/2025" in same_day.value.message_dict["on"][0]
    assert tree_snapshot() == before
    assert fresh(world.commune).name == "Tên mới"


def test_renaming_from_a_date_before_a_child_was_added(world):
    # BUG: cells/services.py organization_rename() calls _open_name(child, on) for every child without looking at
    # the child's own records. A cell added on 1 Oct 2025 under a commune renamed (recorded later) from 1 Sep 2025
    # gets a second *open* record dated 1 Sep 2025 (before it existed) with the new parent name, while its record
    # from 1 Oct 2025 stays open with the old parent name: minutes from October on print the commune's old name.
    # A child's records starting after ``on`` should get the new parent name, and none should start before the child.
    cell = make_cell(world.commune, name="Chi bộ thôn 3", code="A3", valid_from=D(2025, 10, 1))

    organization_rename(organization=fresh(world.commune), name="Đảng bộ phường Xuân Hiệp", on=D(2025, 9, 1))

    assert name_on(cell, D(2025, 9, 15)) is None
    assert name_on(cell, D(2025, 11, 1)).parent_name == "Đảng bộ phường Xuân Hiệp"
    assert OrganizationName.objects.filter(organization=cell, valid_to__isnull=True).count() == 1


# --- Creating -----------------------------------------------------------------------------------------------------


def test_creating_a_node_opens_its_first_name_record(world):
    cell = organization_create(
        parent=fresh(world.commune),
        name="Chi bộ Trường Tiểu học",
        code="A9",
        kind=Organization.Kind.SUBORDINATE_CELL,
        valid_from=MERGER,
        place_name="Xuân Hiệp",
        cell_type=Organization.CellType.PUBLIC_SERVICE,
        meeting_day=Organization.LAST_DAY_OF_MONTH,
    )

    record = cell.names.get()
    assert (record.name, record.parent_name, record.valid_from, record.valid_to) == (
        "Chi bộ Trường Tiểu học",
        "Đảng bộ xã Xuân Hiệp",
        MERGER,
        None,
    )
    assert cell.is_cell and cell.meeting_day_label() == "ngày cuối tháng"
    assert parent_of(cell) == world.commune


def test_codes_are_unique(world):
    before = tree_snapshot()

    with pytest.raises(ValidationError) as refused:
        make_org(fresh(world.province), name="Đảng bộ xã khác", code="C01")

    assert "đã tồn tại" in refused.value.message_dict["code"][0]
    assert tree_snapshot() == before


def test_creating_refuses_bad_fields_and_writes_nothing(world):
    before = tree_snapshot()

    with pytest.raises(ValidationError) as no_name:
        organization_create(parent=fresh(world.commune), name="", code="X1", kind="commune", valid_from=MERGER)
    with pytest.raises(ValidationError):
        make_org(fresh(world.commune), code="X2", kind="village")  # not a kind
    with pytest.raises(ValidationError):
        make_cell(fresh(world.commune), code="X3", meeting_day=29)
    with pytest.raises(ValidationError):
        make_org(fresh(world.commune), code="X4", cell_type=Organization.CellType.AGENCY)  # a commune has no type

    assert "name" in no_name.value.message_dict
    assert tree_snapshot() == before


def test_a_meeting_day_past_the_28th_or_a_type_on_a_non_cell_is_explained_in_vietnamese_on_its_field(world):
    # BUG: cells/models.py Organization's CheckConstraints "meeting_day_in_month" and "cell_type_only_on_cells" have
    # no violation_error_message, so organization_create() answers with Django's untranslated generic
    # "Constraint “cells_organization_meeting_day_in_month” is violated." under __all__ (no Vietnamese catalogue
    # entry exists for it). Give them Vietnamese messages (violation_error_message, as members/models.py now does)
    # or check these fields in the service, keyed by field.
    with pytest.raises(ValidationError) as day:
        make_cell(fresh(world.commune), code="X3", meeting_day=29)
    with pytest.raises(ValidationError) as cell_type:
        make_org(fresh(world.commune), code="X4", cell_type=Organization.CellType.AGENCY)

    assert "Constraint" not in " ".join(day.value.messages + cell_type.value.messages)
    assert "meeting_day" in day.value.message_dict
    assert "cell_type" in cell_type.value.message_dict
