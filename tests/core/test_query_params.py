"""Numbers in query strings: anything but a plain id is ignored, never a 500."""

import pytest

from core.numbers import int_param

HOSTILE = ["²", "٣", "9" * 30, "-1", "1e3", " ", "0x10", "1.5"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        ("0", 0),
        ("9" * 18, int("9" * 18)),
        *((v, None) for v in HOSTILE),
        (None, None),
    ],
)
def test_int_param(value, expected):
    assert int_param(value) == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_pages_ignore_a_query_number_that_is_not_an_id(client_for, locked_q1, value):
    from disbursements.services.batches import generate_quarterly_batch

    batch = generate_quarterly_batch(user=locked_q1.locked_by, period=locked_q1)
    client = client_for("center")
    for url in (
        f"/grids/list/?per_page={value}",
        f"/grids/new/?parent={value}",
        f"/assessments/complaints/?street={value}",
        f"/assessments/complaints/?community={value}",
        f"/assessments/complaints/import/?period={value}",
        f"/funds/batches/{batch.pk}/?street={value}",
        f"/reports/?year={value}",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post("/funds/batches/generate/", {"period": value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["10000", "0", "-1"])
def test_out_of_range_year_filter_is_not_a_server_error(client_for, q1, value):
    assert client_for("center").get(f"/assessments/complaints/?year={value}").status_code == 200


def test_malformed_generate_period_is_404_not_500(client_for, budget):
    assert client_for("center").post("/funds/batches/generate/", {"period": "abc"}).status_code == 404


def test_new_grid_page_ignores_a_malformed_parent(client_for):
    assert client_for("center").get("/grids/new/?parent=abc").status_code == 200
