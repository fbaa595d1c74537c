"""Policies as dated data: resolution along the tree and over time, the writes and their checks, presets and their
command, the query counts, and the meeting rules that read them (recording figures, the long-meeting confirmation)."""

import datetime
import pickle
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cells.models import Policy
from cells.policies import (
    BUILT_IN,
    DEFAULTS,
    RULE_FIELDS,
    policies_for,
    policy_create,
    policy_for,
    policy_history,
    policy_update,
    resolve,
)
from cells.presets import PRESETS, preset_load
from meetings import services
from meetings.rules import Rules, rules_for
from tests.factories import make_cell, make_meeting, make_org

pytestmark = pytest.mark.django_db

D = datetime.date
# 22 November 2026, 16:00 in Hanoi.
NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)


def add(organization, valid_from, name="Quy định", source="Văn bản thử", **values) -> Policy:
    return Policy.objects.create(organization=organization, valid_from=valid_from, name=name, source=source, **values)


# --- Resolution -----------------------------------------------------------------------------------------------------


def test_without_any_policy_every_rule_is_the_built_in_default_with_its_source(world):
    resolved = policy_for(world.cell_a, D(2026, 1, 1))

    assert resolved.values == {name: value for name, (value, _source) in DEFAULTS.items()}
    assert all(resolved.sources[name].is_default for name in RULE_FIELDS)
    assert resolved.sources["min_minutes_regular"].name == BUILT_IN
    assert "Hướng dẫn 42-HD/BTCTW (2025)" in resolved.sources["min_minutes_regular"].citation
    assert resolved.sources["smallest_cell_official"].citation == "Điều lệ Đảng, Điều 24"
    assert resolved.min_minutes("regular") == 90
    assert resolved.min_minutes("thematic") == 120
    assert resolved.min_minutes("combined") == 120
    assert resolved.min_minutes("extraordinary") == 0
    assert resolved.min_member_speakers == 4  # rules read as attributes too


def test_a_province_policy_applies_to_a_cell_below_it(world):
    policy = add(
        world.province, D(2026, 1, 1), name="Quy định tỉnh", source="Quy định 01-QĐ/TU", min_minutes_regular=60
    )

    resolved = policy_for(world.cell_a, D(2026, 3, 1))

    assert resolved.values["min_minutes_regular"] == 60
    source = resolved.sources["min_minutes_regular"]
    assert (source.policy_id, source.name, source.organization, source.citation, source.valid_from) == (
        policy.pk,
        "Quy định tỉnh",
        "Đảng bộ tỉnh Đồng Nai",
        "Quy định 01-QĐ/TU",
        D(2026, 1, 1),
    )
    assert source.organization_id == world.province.pk
    # What the province leaves empty is still the default.
    assert resolved.values["min_minutes_thematic"] == 120 and resolved.sources["min_minutes_thematic"].is_default


def test_a_commune_policy_overrides_one_rule_and_inherits_the_others_from_the_province(world):
    province = add(world.province, D(2026, 1, 1), min_minutes_regular=60, min_member_speakers=5, strike_off_absences=2)
    commune = add(world.commune, D(2026, 2, 1), min_member_speakers=3)

    resolved = policy_for(world.cell_a, D(2026, 3, 1))

    assert resolved.values["min_member_speakers"] == 3
    assert resolved.sources["min_member_speakers"].policy_id == commune.pk
    assert resolved.values["min_minutes_regular"] == 60
    assert resolved.sources["min_minutes_regular"].policy_id == province.pk
    assert resolved.values["strike_off_absences"] == 2
    assert [p.pk for p in resolved.in_force] == [commune.pk, province.pk]  # nearest first
    # A cell under the other commune only sees the province.
    assert policy_for(world.cell_b, D(2026, 3, 1)).values["min_member_speakers"] == 5


def test_the_organizations_own_policy_applies_to_itself(world):
    add(world.cell_a, D(2026, 1, 1), agenda_send_days=5)

    assert policy_for(world.cell_a, D(2026, 1, 1)).values["agenda_send_days"] == 5
    assert policy_for(world.commune, D(2026, 1, 1)).values["agenda_send_days"] == 3


def test_within_one_organization_the_latest_policy_in_force_wins_whole(world):
    add(world.province, D(2026, 1, 1), min_minutes_regular=80)
    add(world.commune, D(2025, 1, 1), min_minutes_regular=100, min_member_speakers=6)
    latest = add(world.commune, D(2026, 1, 1), min_minutes_regular=110)
    add(world.commune, D(2025, 6, 1), min_minutes_regular=95)

    resolved = policy_for(world.cell_a, D(2026, 5, 1))

    assert resolved.values["min_minutes_regular"] == 110
    assert resolved.sources["min_minutes_regular"].policy_id == latest.pk
    # The commune's earlier policy is replaced, not merged: speakers come from above (the default here).
    assert resolved.values["min_member_speakers"] == 4 and resolved.sources["min_member_speakers"].is_default


def test_a_policy_applies_from_its_date_and_future_policies_are_ignored(world):
    add(world.province, D(2027, 1, 1), min_minutes_regular=60)

    assert policy_for(world.cell_a, D(2026, 12, 31)).values["min_minutes_regular"] == 90
    assert policy_for(world.cell_a, D(2027, 1, 1)).values["min_minutes_regular"] == 60


def test_a_policy_changed_mid_year_leaves_earlier_months_with_the_old_values(world):
    old = add(world.commune, D(2026, 1, 1), min_minutes_regular=90, min_member_speakers=4)
    new = add(world.commune, D(2026, 7, 1), min_minutes_regular=120, min_member_speakers=6)

    june = policy_for(world.cell_a, D(2026, 6, 30))
    july = policy_for(world.cell_a, D(2026, 7, 1))
    both = {day: policies_for([world.cell_a], day)[world.cell_a.pk] for day in (D(2026, 3, 4), D(2026, 9, 4))}

    assert (june.values["min_minutes_regular"], june.values["min_member_speakers"]) == (90, 4)
    assert june.sources["min_minutes_regular"].policy_id == old.pk
    assert (july.values["min_minutes_regular"], july.values["min_member_speakers"]) == (120, 6)
    assert july.sources["min_minutes_regular"].policy_id == new.pk
    assert both[D(2026, 3, 4)].values["min_minutes_regular"] == 90
    assert both[D(2026, 9, 4)].values["min_minutes_regular"] == 120


def test_a_yes_no_rule_set_to_no_is_a_value_not_an_empty_one(world):
    add(world.province, D(2026, 1, 1), guests_may_vote=True)
    add(world.commune, D(2026, 1, 1), guests_may_vote=False)

    resolved = policy_for(world.cell_a, D(2026, 2, 1))

    assert resolved.values["guests_may_vote"] is False
    assert resolved.sources["guests_may_vote"].organization == "Đảng bộ xã Xuân Hiệp"


def test_policies_for_many_organizations_agree_with_policy_for_each(world):
    add(world.province, D(2026, 1, 1), min_minutes_regular=70)
    add(world.commune, D(2026, 1, 1), min_member_speakers=2)
    add(world.other_commune, D(2026, 6, 1), min_member_speakers=7)
    add(world.cell_b, D(2026, 8, 1), thematic_per_quarter=2)
    organizations = [world.province, world.commune, world.other_commune, world.cell_a, world.cell_b]

    for day in (D(2025, 12, 31), D(2026, 3, 1), D(2026, 7, 1), D(2026, 9, 1)):
        many = policies_for(organizations, day)
        assert set(many) == {org.pk for org in organizations}
        for org in organizations:
            assert many[org.pk].values == policy_for(org, day).values
            assert many[org.pk].sources == policy_for(org, day).sources


def test_policies_for_loads_every_policy_when_the_chains_are_very_long(world, monkeypatch):
    monkeypatch.setattr("cells.policies.MAX_PATHS", 1)
    add(world.province, D(2026, 1, 1), min_minutes_regular=70)
    add(world.other_commune, D(2026, 1, 1), min_minutes_regular=75)

    many = policies_for([world.cell_a, world.cell_b], D(2026, 2, 1))

    assert many[world.cell_a.pk].values["min_minutes_regular"] == 70
    assert many[world.cell_b.pk].values["min_minutes_regular"] == 75
    assert policies_for([], D(2026, 2, 1)) == {}


def test_the_history_resolves_any_day_without_another_query(world, django_assert_num_queries):
    add(world.province, D(2026, 1, 1), min_minutes_regular=70)
    add(world.commune, D(2026, 7, 1), min_minutes_regular=100)
    add(world.other_commune, D(2026, 1, 1), min_minutes_regular=50)  # not on cell A's chain
    with django_assert_num_queries(1):
        history = policy_history(world.cell_a)
    with django_assert_num_queries(0):
        march, august = resolve(world.cell_a, D(2026, 3, 1), history), resolve(world.cell_a, D(2026, 8, 1), history)

    assert [p.valid_from for p in history] == [D(2026, 7, 1), D(2026, 1, 1)]
    assert march.values["min_minutes_regular"] == 70
    assert august.values["min_minutes_regular"] == 100


def test_a_resolved_policy_survives_pickling_for_caches_and_tasks(world):
    add(world.province, D(2026, 1, 1), min_minutes_regular=70)
    resolved = policy_for(world.cell_a, D(2026, 2, 1))

    copy = pickle.loads(pickle.dumps(resolved))

    assert copy.values == resolved.values and copy.min_minutes_regular == 70
    with pytest.raises(AttributeError):
        copy.not_a_rule  # noqa: B018


# --- Query counts ---------------------------------------------------------------------------------------------------


def test_policy_for_is_one_query_whatever_the_depth(world, django_assert_num_queries):
    party_group = make_org(world.cell_a, kind="party_group")
    add(world.province, D(2026, 1, 1), min_minutes_regular=70)
    add(world.commune, D(2026, 1, 1), min_member_speakers=3)
    add(world.cell_a, D(2026, 1, 1), agenda_send_days=4)

    with django_assert_num_queries(1):
        resolved = policy_for(party_group, D(2026, 2, 1))

    assert (resolved.values["min_minutes_regular"], resolved.values["min_member_speakers"]) == (70, 3)
    assert resolved.values["agenda_send_days"] == 4


@pytest.mark.parametrize("count", [3, 30])
def test_policies_for_is_one_query_whatever_the_number_of_organizations(world, django_assert_num_queries, count):
    cells = [make_cell(world.commune if n % 2 else world.other_commune) for n in range(count)]
    add(world.province, D(2026, 1, 1), min_minutes_regular=70)
    add(world.commune, D(2026, 1, 1), min_member_speakers=3)
    for cell in cells[:3]:
        add(cell, D(2026, 1, 1), agenda_send_days=5)

    with django_assert_num_queries(1):
        many = policies_for(cells, D(2026, 2, 1))

    assert len(many) == count
    assert all(resolved.values["min_minutes_regular"] == 70 for resolved in many.values())
    assert many[cells[1].pk].values["min_member_speakers"] == 3
    assert many[cells[0].pk].values["agenda_send_days"] == 5


# --- Writes ---------------------------------------------------------------------------------------------------------


def test_policy_create_writes_a_policy_with_empty_values_inherited(world):
    policy = policy_create(
        organization=world.commune,
        valid_from=D(2027, 1, 1),
        source="Quy định 02-QĐ/ĐU",
        source_url="https://example.vn/qd-02",
        values={"min_minutes_regular": 100},
    )

    assert policy.name == "Quy định của Đảng bộ xã Xuân Hiệp từ 01/01/2027"
    assert policy.min_minutes_regular == 100 and policy.min_member_speakers is None
    assert policy_for(world.cell_a, D(2027, 1, 1)).sources["min_minutes_regular"].url == "https://example.vn/qd-02"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"valid_from": None}, "valid_from", "Nhập ngày bắt đầu áp dụng."),
        ({"source": "  "}, "source", "Ghi căn cứ của quy định"),
        ({"values": {}}, "__all__", "Quy định phải đặt ít nhất một giá trị."),
        ({"values": {"min_minutes_regular": 0}}, "min_minutes_regular", "Giá trị phải từ 1 đến 600 phút."),
        ({"values": {"min_minutes_thematic": 601}}, "min_minutes_thematic", "Giá trị phải từ 1 đến 600 phút."),
        ({"values": {"strike_off_absences": 13}}, "strike_off_absences", "Giá trị phải từ 1 đến 12 tháng."),
        (
            {"values": {"agenda_lead_days": 5, "agenda_send_days": 2}},
            "agenda_send_days",
            "không được ít hơn số ngày gửi tối thiểu (5)",
        ),
    ],
)
def test_policy_create_refuses_bad_input_and_writes_nothing(world, kwargs, field, message):
    data = {
        "organization": world.commune,
        "valid_from": D(2027, 1, 1),
        "source": "Quy định 02-QĐ/ĐU",
        "values": {"min_minutes_regular": 100},
    }
    data.update(kwargs)

    with pytest.raises(ValidationError) as caught:
        policy_create(**data)

    assert message in " ".join(caught.value.message_dict[field])
    assert not Policy.objects.exists()


def test_the_agenda_times_must_agree_once_the_empty_one_is_inherited(world):
    province_policy = add(world.province, D(2026, 1, 1), agenda_send_days=4)  # the minimum (1) stays the default

    # The commune raises the minimum to 5 days while the default send time it inherits is 4: refused.
    with pytest.raises(ValidationError) as caught:
        policy_create(
            organization=world.commune, valid_from=D(2027, 1, 1), source="Quy định 02", values={"agenda_lead_days": 5}
        )
    message = " ".join(caught.value.message_dict["agenda_lead_days"])
    assert "Ngày gửi chương trình mặc định (4) không được ít hơn số ngày gửi tối thiểu (5)" in message
    assert f"“{province_policy.name}” (Đảng bộ tỉnh Đồng Nai)" in message
    assert list(Policy.objects.all()) == [province_policy]

    # The commune's own earlier policy does not count (the new one replaces it), the ancestors' do.
    add(world.commune, D(2026, 6, 1), agenda_send_days=7)
    with pytest.raises(ValidationError):
        policy_create(
            organization=world.commune, valid_from=D(2027, 1, 1), source="Quy định 02", values={"agenda_lead_days": 5}
        )
    # Both set together, or a minimum the inherited default meets: fine.
    policy_create(
        organization=world.commune,
        valid_from=D(2027, 1, 1),
        source="Quy định 02",
        values={"agenda_lead_days": 5, "agenda_send_days": 6},
    )
    policy_create(
        organization=world.cell_a, valid_from=D(2027, 1, 1), source="Quy định 03", values={"agenda_lead_days": 6}
    )
    with pytest.raises(ValidationError) as caught:
        policy_create(organization=world.cell_a, valid_from=D(2027, 2, 1), source="Q", values={"agenda_lead_days": 7})
    assert "Quy định 02" not in caught.value.message_dict["agenda_lead_days"][0]  # named by the policy's name
    assert "(6)" in caught.value.message_dict["agenda_lead_days"][0]


def test_the_agenda_times_must_agree_below_and_later_too(world):
    add(world.commune, D(2026, 1, 1), agenda_send_days=2)  # fine with the default minimum of 1

    # The province raises the minimum to 3: the commune (and its cells) would send by default 2 days before.
    with pytest.raises(ValidationError) as caught:
        policy_create(organization=world.province, valid_from=D(2027, 1, 1), source="Q", values={"agenda_lead_days": 3})
    message = caught.value.message_dict["agenda_lead_days"][0]
    assert "Từ ngày 01/01/2027, Đảng bộ xã Xuân Hiệp sẽ có ngày gửi chương trình mặc định (2)" in message
    assert "ít hơn số ngày gửi tối thiểu (3)" in message

    # A province policy dated later makes a new commune policy clash from that date on.
    add(world.province, D(2027, 6, 1), agenda_lead_days=3, agenda_send_days=3)
    with pytest.raises(ValidationError) as caught:
        policy_create(
            organization=world.other_commune, valid_from=D(2027, 2, 1), source="Q", values={"agenda_send_days": 2}
        )
    assert "Từ ngày 01/06/2027" in caught.value.message_dict["agenda_send_days"][0]
    # Until the commune's own next policy: a policy that ends before the clash is fine.
    add(world.other_commune, D(2027, 5, 1), agenda_send_days=4)
    policy_create(
        organization=world.other_commune, valid_from=D(2027, 2, 1), source="Q", values={"agenda_send_days": 2}
    )


def test_policy_create_refuses_a_second_policy_on_the_same_organization_and_date(world):
    add(world.commune, D(2027, 1, 1), min_minutes_regular=100)

    with pytest.raises(ValidationError) as caught:
        policy_create(
            organization=world.commune, valid_from=D(2027, 1, 1), source="X", values={"min_minutes_regular": 1}
        )

    assert caught.value.message_dict["valid_from"] == ["Tổ chức này đã có quy định áp dụng từ ngày này."]
    assert Policy.objects.get().min_minutes_regular == 100


def test_policy_create_rejects_an_unknown_rule_name(world):
    with pytest.raises(ValueError, match="min_minutes_party"):
        policy_create(organization=world.commune, valid_from=D(2027, 1, 1), source="X", values={"min_minutes_party": 1})


def test_a_policy_not_yet_in_force_can_be_changed(world):
    policy = add(world.commune, D(2027, 1, 1), min_minutes_regular=100)

    policy_update(
        policy=policy,
        today=D(2026, 11, 22),
        valid_from=D(2027, 2, 1),
        source="Quy định 03-QĐ/ĐU",
        values={"min_minutes_regular": 105, "guests_may_vote": True},
    )

    policy.refresh_from_db()
    assert (policy.valid_from, policy.min_minutes_regular, policy.guests_may_vote) == (D(2027, 2, 1), 105, True)
    assert policy.source == "Quy định 03-QĐ/ĐU"


@pytest.mark.parametrize("valid_from", [D(2026, 1, 1), D(2026, 11, 22)])
def test_a_policy_in_force_or_past_is_history_and_cannot_be_changed(world, valid_from):
    policy = add(world.commune, valid_from, min_minutes_regular=100)

    with pytest.raises(ValidationError, match="đã có hiệu lực"):
        policy_update(
            policy=policy,
            today=D(2026, 11, 22),
            valid_from=D(2027, 1, 1),
            source="X",
            values={"min_minutes_regular": 60},
        )

    policy.refresh_from_db()
    assert (policy.valid_from, policy.min_minutes_regular) == (valid_from, 100)


def test_a_future_policy_cannot_be_moved_into_the_past(world):
    policy = add(world.commune, D(2027, 1, 1), min_minutes_regular=100)

    with pytest.raises(ValidationError) as caught:
        policy_update(
            policy=policy,
            today=D(2026, 11, 22),
            valid_from=D(2026, 1, 1),
            source="X",
            values={"min_minutes_regular": 1},
        )

    assert "valid_from" in caught.value.message_dict
    policy.refresh_from_db()
    assert (policy.valid_from, policy.min_minutes_regular) == (D(2027, 1, 1), 100)


# --- Presets --------------------------------------------------------------------------------------------------------


def test_the_presets_hold_valid_values_of_known_rules():
    from cells.policies import check_values

    assert set(PRESETS) == {"mac-dinh", "hd42-2025"}
    for preset in PRESETS.values():
        assert set(preset.values) <= set(RULE_FIELDS)
        assert not check_values(preset.values)
        assert len(preset.source) <= Policy._meta.get_field("source").max_length


def test_the_defaults_preset_writes_every_default_with_its_citations_in_the_note(world):
    policy, created = preset_load(preset="mac-dinh", organization=world.province, valid_from=D(2026, 1, 1))

    assert created
    assert policy.name == "Mặc định theo các bài viết nguồn"
    assert {name: getattr(policy, name) for name in RULE_FIELDS} == {n: v for n, (v, _c) in DEFAULTS.items()}
    assert "Điều lệ Đảng, Điều 24" in policy.note
    resolved = policy_for(world.cell_a, D(2026, 1, 1))
    assert resolved.sources["min_minutes_regular"].policy_id == policy.pk


def test_the_hd42_preset_sets_meeting_rules_and_leaves_the_others_inherited(world):
    add(world.province, D(2025, 1, 1), strike_off_absences=2, min_minutes_regular=60)
    policy, _created = preset_load(preset="hd42-2025", organization=world.commune, valid_from=D(2025, 10, 28))

    resolved = policy_for(world.cell_a, D(2026, 1, 1))

    # Hướng dẫn 42 sets 90 minutes for every cell meeting, a thematic one held on its own included, and 120 only for
    # the thematic and the regular meeting held in one session (design.md): the 120 of seed 000 is one cell's practice.
    assert (policy.min_minutes_regular, policy.min_minutes_thematic, policy.min_minutes_combined) == (90, 90, 120)
    assert (policy.agenda_lead_days, policy.agenda_send_days, policy.thematic_per_quarter) == (1, 3, 1)
    assert policy.min_member_speakers is None
    assert "42-HD/BTCTW" in policy.source
    assert resolved.values["min_minutes_regular"] == 90  # the commune's preset, nearer than the province
    assert resolved.values["strike_off_absences"] == 2  # inherited from the province


def test_loading_a_preset_twice_changes_nothing_and_overwrites_a_policy_of_the_same_date(world):
    add(world.commune, D(2026, 1, 1), name="Cũ", min_member_speakers=9)

    first, created_first = preset_load(preset="hd42-2025", organization=world.commune, valid_from=D(2026, 1, 1))
    second, created_second = preset_load(preset="hd42-2025", organization=world.commune, valid_from=D(2026, 1, 1))

    assert (created_first, created_second) == (False, False)
    assert first.pk == second.pk and Policy.objects.count() == 1
    second.refresh_from_db()
    assert second.name == "Hướng dẫn 42-HD/BTCTW (2025)" and second.min_member_speakers is None


def test_an_unknown_preset_is_a_key_error(world):
    with pytest.raises(KeyError):
        preset_load(preset="yen-bai-18", organization=world.commune, valid_from=D(2026, 1, 1))


def test_the_command_loads_a_preset_idempotently(world):
    out = StringIO()
    args = ["load_policy_preset", "hd42-2025", "--organization", "C01", "--from", "2025-10-28"]

    call_command(*args, stdout=out)
    call_command(*args, stdout=out)

    policy = Policy.objects.get()
    assert (policy.organization, policy.valid_from, policy.min_minutes_regular) == (world.commune, D(2025, 10, 28), 90)
    assert "Created policy" in out.getvalue() and "Updated policy" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hd42-2025", "--organization", "NOPE", "--from", "2026-01-01"], "No organization has the code"),
        (["hd42-2025", "--organization", "C01", "--from", "01/01/2026"], "--from must be a date"),
        (["yen-bai", "--organization", "C01", "--from", "2026-01-01"], "invalid choice"),
    ],
)
def test_the_command_refuses_bad_arguments(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("load_policy_preset", *args, stdout=StringIO())
    assert not Policy.objects.exists()


# --- Meeting rules --------------------------------------------------------------------------------------------------


def test_rules_for_reads_the_policy_in_force_with_its_sources(world):
    policy = add(
        world.province, D(2026, 1, 1), name="Quy định tỉnh", source="Quy định 01-QĐ/TU", min_minutes_regular=60
    )

    rules = rules_for(world.cell_a, D(2026, 2, 1))

    assert isinstance(rules, Rules)
    minimums = {kind: rules.min_minutes(kind) for kind in ("regular", "thematic", "combined", "extraordinary")}
    assert minimums == {"regular": 60, "thematic": 120, "combined": 120, "extraordinary": None}
    assert (rules.min_member_speakers, rules.confirm_over_minutes) == (4, 360)
    assert (rules.agenda_lead_days, rules.agenda_send_days) == (1, 3)
    assert rules.sources["min_minutes_regular"].policy_id == policy.pk
    assert rules.sources["min_minutes_regular"].citation == "Quy định 01-QĐ/TU"
    assert rules.policy.values["smallest_cell_official"] == 3
    assert rules_for(world.cell_a, D(2025, 12, 31)).min_minutes("regular") == 90


def _held(meeting, start: datetime.datetime, minutes: int, *, confirm_long: bool = False):
    meeting.refresh_from_db()
    return services.meeting_record(
        meeting=meeting,
        version=meeting.version,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=minutes),
        confirm_long=confirm_long,
    )


@time_machine.travel(NOW, tick=False)
def test_a_province_policy_of_60_minutes_lets_a_70_minute_meeting_pass_from_its_date_only(world):
    add(world.province, D(2026, 9, 1), name="Quy định tỉnh", source="Quy định 01-QĐ/TU", min_minutes_regular=60)
    before = make_meeting(world.cell_a, planned_date=D(2026, 8, 4))
    after = make_meeting(world.cell_a, planned_date=D(2026, 10, 4))
    tz = datetime.timezone(datetime.timedelta(hours=7))

    august = services.figures(_held(before, datetime.datetime(2026, 8, 4, 14, 0, tzinfo=tz), 70))
    october = services.figures(_held(after, datetime.datetime(2026, 10, 4, 14, 0, tzinfo=tz), 70))

    assert (august["length"].measured, august["length"].required, august["length"].ok) == (70, 90, False)
    assert (october["length"].measured, october["length"].required, october["length"].ok) == (70, 60, True)
    assert october["rules"].sources["min_minutes_regular"].name == "Quy định tỉnh"


@time_machine.travel(NOW, tick=False)
def test_the_long_meeting_confirmation_follows_the_policy_in_force(world):
    add(world.commune, D(2026, 10, 1), confirm_over_minutes=120)
    before = make_meeting(world.cell_a, planned_date=D(2026, 9, 4))
    after = make_meeting(world.cell_a, planned_date=D(2026, 10, 4))
    tz = datetime.timezone(datetime.timedelta(hours=7))

    _held(before, datetime.datetime(2026, 9, 4, 14, 0, tzinfo=tz), 150)  # under the default 6 hours
    with pytest.raises(ValidationError) as caught:
        _held(after, datetime.datetime(2026, 10, 4, 14, 0, tzinfo=tz), 150)
    assert "confirm_long" in caught.value.message_dict
    _held(after, datetime.datetime(2026, 10, 4, 14, 0, tzinfo=tz), 150, confirm_long=True)


# --- Admin ----------------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_admin_lists_policies_and_refuses_one_without_any_value(client, world):
    add(world.commune, D(2026, 1, 1), name="Quy định xã", min_minutes_regular=95)
    client.force_login(world.admin)

    listing = client.get("/admin/cells/policy/")
    refused = client.post(
        "/admin/cells/policy/add/",
        {"organization": world.commune.pk, "name": "Trống", "source": "X", "valid_from": "2027-01-01"},
    )

    assert listing.status_code == 200 and "Quy định xã" in listing.content.decode()
    assert "Quy định phải đặt ít nhất một giá trị." in refused.content.decode()
    assert Policy.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_in_the_admin_a_policy_in_force_keeps_its_date_and_values_and_cannot_be_deleted(client, world):
    past = add(world.commune, D(2026, 1, 1), min_minutes_regular=95)
    future = add(world.commune, D(2027, 1, 1), min_minutes_regular=95)
    client.force_login(world.admin)

    past_form = client.get(f"/admin/cells/policy/{past.pk}/change/").content.decode()
    future_form = client.get(f"/admin/cells/policy/{future.pk}/change/").content.decode()

    assert 'name="min_minutes_regular"' not in past_form and 'name="source"' in past_form
    assert 'name="min_minutes_regular"' in future_form
    assert client.get(f"/admin/cells/policy/{past.pk}/delete/").status_code == 403
    assert client.get(f"/admin/cells/policy/{future.pk}/delete/").status_code == 200


def test_values_read_with_their_units_in_plural_forms():
    from django.utils import translation

    from cells.policies import format_value

    assert format_value("agenda_lead_days", 1) == "1 ngày"
    with translation.override("en"):
        assert (format_value("agenda_lead_days", 1), format_value("agenda_send_days", 3)) == ("1 day", "3 days")
        assert format_value("min_member_speakers", 4) == "4 Party members"
        assert format_value("thematic_per_quarter", 1) == "1 meeting"
        assert format_value("strike_off_absences", 3) == "3 months"
