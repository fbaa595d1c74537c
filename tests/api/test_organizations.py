"""The API's first resource, organizations, read through the pages' access gate; the OpenAPI description
and its page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_cell

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizations/"


def test_it_requires_login(client, world):
    response = client.get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_board_reads_its_subtree_in_the_trees_order_with_each_parent(client, world):
    client.force_login(world.board_user)

    body = client.get(URL).json()

    rows = {row["code"]: row for row in body["results"]}
    assert list(rows) == ["C01", "A"]  # the commune, then its cell; not the province, not the other commune
    assert rows["A"]["parent"] == world.commune.pk and rows["A"]["is_cell"] is True
    assert rows["C01"]["parent"] == world.province.pk  # above the user's subtree: its id, not its content
    assert body["count"] == 2


def test_outside_the_subtree_is_a_404(client, world):
    client.force_login(world.board_user)

    assert client.get(f"{URL}{world.cell_b.pk}/").status_code == 404
    assert client.get(URL, {"within": world.other_commune.pk}).status_code == 404
    assert client.get(f"{URL}{world.cell_a.pk}/").json()["name"] == "Chi bộ cơ quan UBND xã"


def test_within_gives_one_nodes_subtree(client, world):
    client.force_login(world.admin)

    codes = [row["code"] for row in client.get(URL, {"within": world.other_commune.pk}).json()["results"]]

    assert codes == ["C02", "B"]


def test_a_page_costs_the_same_queries_whatever_the_number_of_organizations(client, world):
    client.force_login(world.board_user)
    client.get(URL)  # the session and the user's scope, once
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(30):
        make_cell(world.commune, name=f"Chi bộ ấp {n}", code=f"X{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert response.json()["count"] == 32
    assert len(many) == len(few)


def test_the_openapi_description_and_its_page_are_served_without_a_cdn(client, world):
    client.force_login(world.member_user)

    schema = client.get("/api/schema/", {"format": "json"})
    page = client.get("/api/docs/")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/organizations/" in schema.json()["paths"]
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
