"""Schemathesis against the live OpenAPI description: for every operation, a bounded number of generated requests
(valid and invalid) made with a token by three kinds of user, over a small world with a held meeting, a committee
seat and findings. No answer is a 500; every answer has a documented status, content type and a body matching
its schema.

``SCHEMATHESIS_EXAMPLES`` sets the number of examples per operation (25 unless set)."""

import datetime
import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi import checks as openapi_checks

from api.models import ApiToken
from reports.compliance import compute_month
from tests.factories import make_held_meeting, make_meeting, seat

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


@pytest.fixture
def api_schema(db, settings):
    """The description as the app serves it, called through the WSGI application in this process, inside the
    test's transaction: as Django's test client does, a request's end must not close the test's connection."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis calls the WSGI app as localhost
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world_with_records(world):
    """The world with meetings (planned and held), a committee seat and November's findings."""
    make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4), votes_for=2)
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    seat(world.outsider, world.commune)
    compute_month(datetime.date(2026, 11, 1), organization=world.province)
    return world


@pytest.mark.parametrize("username", ["quantri", "bantochuc.xa", "dangvien.a"])
def test_no_500_and_every_answer_matches_the_schema(api_schema, world_with_records, username):
    """Each operation in turn, with hypothesis (schemathesis' own pytest plugin does not run under pytest 9); every
    operation's failure is reported, not only the first. As an administrator (everything), a commune board that only
    reads (403s) and a plain member (the shapes without personal fields and roll calls)."""
    user = get_user_model().objects.get(username=username)
    headers = {"Authorization": f"Token {ApiToken.issue(user=user, name='schemathesis')[1]}"}
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same examples on every run: a failure is reproduced, never a flake
            suppress_health_check=list(HealthCheck),
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing example is reported as is
        )
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except Exception as error:  # noqa: BLE001 - every operation's failure, then one assertion
            failures.append(f"{operation.label}: {error}")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)
