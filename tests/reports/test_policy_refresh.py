"""A policy change recomputes the findings it affects (its subtree, from its first month to the current one), from a
request row written with the policy: a task right after the commit, or the nightly sweep when the broker was down."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from cells.models import PendingRefresh, Policy
from cells.policies import policy_create
from reports import refresh, tasks
from reports.compliance import compute_month
from reports.models import CellMonth
from reports.refresh import refresh_pending
from tests.factories import UserFactory, grant
from tests.reports.compliance_helpers import Tree, hold, local, travel

pytestmark = pytest.mark.django_db

SEP, OCT, NOV = (datetime.date(2026, m, 1) for m in (9, 10, 11))
NOW = local(2026, 11, 20)


@pytest.fixture
def judged(db):
    """A cell whose September, October and November meetings had 4 speakers: all pass the default of 4."""
    tree = Tree()
    tree.here = tree.cell(official=6)
    for month in (9, 10, 11):
        hold(tree.here, datetime.date(2026, month, 4), speakers=4)
    with travel(NOW):
        for month in (SEP, OCT, NOV):
            compute_month(month)
    PendingRefresh.objects.all().delete()  # the meetings' own requests: done by the computation above
    return tree


def speakers(cell):
    return dict(CellMonth.objects.filter(cell=cell).values_list("month", "speakers"))


def add(organization, valid_from, **values):
    return policy_create(organization=organization, valid_from=valid_from, source="Quy định 09-QĐ/ĐU", values=values)


def test_a_policy_from_october_15_recomputes_october_on_and_judges_the_meetings_from_its_day(
    judged, django_capture_on_commit_callbacks
):
    late = judged.cell(official=6)
    hold(late, datetime.date(2026, 10, 20), speakers=4)
    with travel(NOW):
        compute_month(OCT)
    PendingRefresh.objects.all().delete()
    with travel(NOW), mock.patch("celery.current_app.send_task") as send:
        with django_capture_on_commit_callbacks(execute=True):
            add(judged.commune, datetime.date(2026, 10, 15), min_member_speakers=5)
        request = PendingRefresh.objects.get()
        assert (request.cause, request.first_month) == ("policy", OCT)
        assert send.call_args.args == ("reports.refresh_pending",)
        assert send.call_args.kwargs == {"args": [[request.pk]], "ignore_result": True, "retry": False}  # one try
        assert speakers(late) == {OCT: "pass"}  # not yet: the task does it

        refresh_pending()

    # The meeting of 4 October was held under the rules of its day; those of 20 October and 4 November under the new.
    assert speakers(judged.here) == {SEP: "pass", OCT: "pass", NOV: "fail"}
    assert speakers(late) == {OCT: "fail"}
    assert CellMonth.objects.get(cell=late, month=OCT).rules["speakers"]["citation"] == "Quy định 09-QĐ/ĐU"
    assert not PendingRefresh.objects.exists()


def test_with_the_broker_down_the_nightly_sweep_does_it(judged, django_capture_on_commit_callbacks):
    with travel(NOW), mock.patch("celery.current_app.send_task", side_effect=ConnectionError("redis is down")):
        with django_capture_on_commit_callbacks(execute=True):
            add(judged.province, datetime.date(2026, 9, 1), min_member_speakers=5)  # the commit still succeeds
    assert PendingRefresh.objects.count() == 1

    with travel(local(2026, 11, 21, 1, 30)):
        written = tasks.refresh_closed_month()  # beat's nightly task, run here in process

    assert written["requests"] > 0
    assert speakers(judged.here) == {SEP: "fail", OCT: "fail", NOV: "fail"}  # September too, from the request row
    assert not PendingRefresh.objects.exists()


def test_a_policy_from_a_month_not_begun_asks_nothing(judged):
    with travel(NOW):
        add(judged.commune, datetime.date(2026, 12, 1), min_member_speakers=5)
    assert not PendingRefresh.objects.exists()


def test_deleting_a_policy_recomputes_with_the_rules_above(judged):
    with travel(NOW):
        policy = add(judged.commune, datetime.date(2026, 10, 1), min_member_speakers=5)
        refresh_pending()
        assert speakers(judged.here)[OCT] == "fail"  # held on 4 October, under the policy from the 1st

        policy.delete()  # the admin
        assert PendingRefresh.objects.get().first_month == OCT
        refresh_pending()

    assert speakers(judged.here) == {SEP: "pass", OCT: "pass", NOV: "pass"}
    assert not Policy.objects.exists()


def test_an_earlier_date_set_by_the_admin_recomputes_from_the_earlier_month(judged):
    with travel(NOW):
        policy = add(judged.commune, datetime.date(2026, 11, 1), min_member_speakers=5)
        PendingRefresh.objects.all().delete()
        policy.valid_from = datetime.date(2026, 9, 1)
        policy.save()
        assert PendingRefresh.objects.get().first_month == SEP
        policy.valid_from = datetime.date(2026, 11, 5)
        policy.save()  # moved later: September and October go back to the rules above, so from September again
        assert PendingRefresh.objects.order_by("pk").last().first_month == SEP


def test_a_subtree_inside_another_pending_one_is_computed_once(judged):
    with travel(NOW):
        add(judged.province, datetime.date(2026, 9, 1), min_member_speakers=5)
        add(judged.commune, datetime.date(2026, 10, 1), min_minutes_regular=60)
        with mock.patch.object(refresh, "compute_month", wraps=refresh.compute_month) as compute:
            refresh_pending()
    assert [call.args[0] for call in compute.call_args_list] == [SEP, OCT, NOV]
    assert [call.kwargs["cells"] for call in compute.call_args_list] == [[judged.here.pk]] * 3


def test_a_policy_dated_years_back_recomputes_only_the_months_already_computed(judged):
    before = set(CellMonth.objects.values_list("cell_id", "month"))
    with travel(NOW):
        Policy.objects.create(  # the admin, setting up history
            organization=judged.commune,
            name="Quy định cũ",
            source="Quy định 01-QĐ/ĐU ngày 02/01/2020",
            valid_from=datetime.date(2020, 1, 1),
            min_member_speakers=5,
        )
        assert PendingRefresh.objects.get().first_month == datetime.date(2020, 1, 1)
        refresh_pending()

    assert set(CellMonth.objects.values_list("cell_id", "month")) == before  # no month of 2020-2026 filled in
    assert speakers(judged.here) == {SEP: "fail", OCT: "fail", NOV: "fail"}


def test_a_policy_moved_to_another_organization_refreshes_both_subtrees(judged):
    other = judged.cell(official=4, parent=judged.province)
    with travel(NOW):
        policy = add(judged.commune, datetime.date(2026, 11, 1), min_member_speakers=5)
        PendingRefresh.objects.all().delete()
        policy.organization = other  # the admin
        policy.save()
    assert set(PendingRefresh.objects.values_list("organization", "first_month")) == {
        (judged.commune.pk, NOV),
        (other.pk, NOV),
    }


def test_the_page_says_the_findings_are_being_recomputed(client, judged):
    writer = UserFactory()
    grant(writer, judged.commune, can_write=True)
    client.force_login(writer)

    with travel(NOW), mock.patch("celery.current_app.send_task"):
        response = client.post(
            reverse("reports:organization_policy", args=[judged.commune.pk]),
            {"valid_from": "2026-11-20", "source": "Quy định 09-QĐ/ĐU", "min_member_speakers": "5"},
            follow=True,
        )

    texts = [str(message) for message in response.context["messages"]]
    assert any("từ tháng 11/2026 đang được tính lại theo quy định mới" in text for text in texts)
    assert PendingRefresh.objects.get().organization == judged.commune
