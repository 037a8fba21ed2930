"""Error pages in Chinese, inside the site's frame, each with a way back to the home page.

pytest-django runs with DEBUG off, as production does: Django draws these pages instead of its debug pages.
"""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.defaults import server_error


def test_tests_run_with_debug_off_as_production_does():
    assert settings.DEBUG is False


def test_a_refused_page_says_why_in_chinese_with_the_navigation(client_for):
    response = client_for("street").get("/assessments/complaints/unmatched/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "没有权限（403）" in page and "12345 工单由中心工作人员维护。" in page
    assert "退出登录" in page  # the site's own frame, not a bare "403 Forbidden"
    assert 'href="/">返回首页' in page


def test_a_missing_page_is_explained_in_chinese_with_a_way_back(client_for):
    response = client_for("street").get("/grids/99999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在（404）" in page and 'href="/">返回首页' in page and "退出登录" in page


def test_an_unknown_address_is_a_chinese_404_for_a_visitor_too(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在（404）" in response.content.decode()


def test_a_request_for_another_host_is_a_chinese_400_without_a_menu(db):
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求无效（400）" in page and 'href="/">返回首页' in page
    assert "退出登录" not in page


def test_a_form_sent_without_its_csrf_token_is_refused_in_chinese(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["center"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，未能提交（403）" in page and "没有写入任何数据" in page
    assert "退出登录" in page and 'href="/">返回首页' in page
    assert "CSRF" not in page  # Django's own English page names the check


def test_a_server_error_page_needs_nothing_from_the_request(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错（500）" in page and 'href="/">返回首页' in page and "app-navbar" in page


@pytest.mark.django_db
def test_a_failing_page_answers_with_the_chinese_500(users, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("core.access.has_role", fail)
    client = Client(raise_request_exception=False)
    client.force_login(users["center"])
    response = client.get("/")
    assert response.status_code == 500
    assert "系统出错（500）" in response.content.decode()
