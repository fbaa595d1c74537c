"""Numbers shown the Vietnamese way in one place (cells.text.format_number, the ``number`` filter): "7,5 giờ",
"1.234 đảng viên"; English keeps its own separators."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from cells.text import format_number


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (7.5, 1, "7,5"),
        (110.5, 1, "110,5"),
        (8.0, 1, "8"),
        (90, 1, "90"),
        (6.25, 1, "6,3"),  # half up, not to even
        (1234, 0, "1.234"),
        (1234567.891, 2, "1.234.567,89"),
        (None, 1, "—"),
    ],
)
def test_it_writes_vietnamese_decimals_and_thousands(value, places, shown):
    with translation.override("vi"):
        assert format_number(value, places) == shown


def test_english_keeps_its_own_separators():
    with translation.override("en"):
        assert format_number(1234.5) == "1,234.5"


def test_the_template_filter_is_the_same_helper():
    template = Template("{% load chibo %}{{ hours|number }} giờ · {{ members|number }} đảng viên · {{ rate|number:2 }}")

    with translation.override("vi"):
        assert template.render(Context({"hours": 7.5, "members": 12345, "rate": 0.125})) == (
            "7,5 giờ · 12.345 đảng viên · 0,13"
        )


def test_the_organization_tree_groups_thousands():
    province = SimpleNamespace(
        pk=1,
        name="Đảng bộ tỉnh Đồng Nai",
        code="DN",
        readable=True,
        is_cell=False,
        numchild=0,
        valid_to=None,
        cell_count=1250,
        member_count=23456,
        children_nodes=None,
    )

    with translation.override("vi"):
        html = render_to_string("members/includes/_tree_nodes.html", {"nodes": [province]})

    assert "1.250 chi bộ · 23.456 đảng viên" in " ".join(html.split())
