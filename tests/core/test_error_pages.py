"""Error pages in Chinese, inside the site's frame where there is a user to show it to."""

from django.test import RequestFactory
from django.views.defaults import server_error


def test_a_refused_page_says_why_in_chinese_with_the_navigation(client_for):
    response = client_for("street").get("/assessments/complaints/unmatched/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "没有权限（403）" in page and "12345 工单由中心工作人员维护。" in page
    assert "退出登录" in page  # the site's own frame, not a bare "403 Forbidden"


def test_a_missing_page_is_explained_in_chinese(client_for):
    response = client_for("street").get("/grids/99999999/")
    assert response.status_code == 404
    assert "页面不存在（404）" in response.content.decode()


def test_a_server_error_page_needs_nothing_from_the_request(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出错（500）" in response.content.decode()
