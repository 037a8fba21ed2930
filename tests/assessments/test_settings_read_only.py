"""A year with a locked quarter shows its settings and quota split read-only, saying why."""

import re

import pytest

from assessments.models import StreetQuota

NOTICE = "已有锁定季度，考核设置只读。"
SETTINGS = "/assessments/settings/2022/"
QUOTAS = "/assessments/settings/2022/quotas/3/"


def _inputs(page: str) -> list[str]:
    return re.findall(r"<input(?![^>]*type=\"hidden\")[^>]*>", page)


def test_an_open_year_is_edited_on_its_pages(client_for, year):
    client = client_for("admin")
    for url, button in ((SETTINGS, "保存"), (QUOTAS, "保存分配")):
        page = client.get(url).content.decode()
        assert NOTICE not in page and f">{button}</button>" in page
        assert _inputs(page) and not any("disabled" in i for i in _inputs(page))


def test_a_locked_quarter_shows_the_settings_read_only(client_for, locked_q1):
    page = client_for("admin").get(SETTINGS).content.decode()
    assert NOTICE in page and "2022 年已有锁定的季度，考核设置不能再修改。" in page
    assert ">保存</button>" not in page
    inputs = _inputs(page)
    assert len(inputs) == 13 and all("disabled" in i for i in inputs)
    assert 'value="5000.00"' in page  # the values are still shown
    assert ">查看</a>" in page and ">调整</a>" not in page


def test_a_locked_quarter_shows_the_quota_split_read_only(client_for, users, roster, locked_q1):
    StreetQuota.objects.create(year=locked_q1.year, street=roster["a"]["street"], level=3, quota=200)
    StreetQuota.objects.create(year=locked_q1.year, street=roster["b"]["street"], level=3, quota=155)
    page = client_for("admin").get(QUOTAS).content.decode()
    assert NOTICE in page and "保存分配" not in page and "不按街镇分配</button>" not in page
    inputs = _inputs(page)
    assert len(inputs) == 2 and all("disabled" in i for i in inputs)
    assert 'value="200"' in page


def test_without_a_split_the_locked_quota_page_says_so(client_for, locked_q1):
    page = client_for("admin").get(QUOTAS).content.decode()
    assert NOTICE in page and "未按街镇分配" in page and not _inputs(page)


@pytest.mark.parametrize("data", [{"street_1": "1"}, {"clear": "1"}])
def test_a_post_to_a_frozen_quota_split_is_still_refused(client_for, locked_q1, data):
    page = client_for("admin").post(QUOTAS, data).content.decode()
    assert "2022 年已有锁定的季度，考核设置不能再修改。" in page
    assert not StreetQuota.objects.exists()


def test_a_post_to_frozen_settings_is_still_refused(client_for, locked_q1):
    settings = locked_q1.year
    page = client_for("admin").post(SETTINGS, {"level3_quota": "1"}).content.decode()
    assert "2022 年已有锁定的季度，考核设置不能再修改。" in page
    settings.refresh_from_db()
    assert settings.level3_excellent_quota != 1


def test_readers_without_the_right_see_the_values_only(client_for, locked_q1):
    response = client_for("leader").get(SETTINGS)
    page = response.content.decode()
    assert response.status_code == 200 and "5000.00" in page
    assert NOTICE not in page and not _inputs(page) and ">保存</button>" not in page
