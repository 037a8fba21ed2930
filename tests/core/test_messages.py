"""A page's message rides to the next page in a signed cookie (FallbackStorage), not through a session
write: the rating save's message shows on the page it leads to, and neither writes the session."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessments.helpers import rating_rows


def test_a_saves_message_reaches_the_next_page_without_a_session_write(client_for, roster, q1):
    client = client_for("center")
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, rating_rows({roster["a"]["level3"]: "qualified"}))
        assert response.status_code == 302 and "messages" in response.cookies
        page = client.get(url).content.decode()
    assert "已保存：新评定 1 个" in page
    assert "已保存" not in client.get(url).content.decode()  # shown once
    assert not [q for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]


def test_a_message_too_long_for_a_cookie_goes_through_the_session(client_for, roster, q1, monkeypatch):
    from django.contrib.messages.storage.cookie import CookieStorage

    monkeypatch.setattr(CookieStorage, "max_cookie_size", 50)  # nothing fits: the session holds it
    client = client_for("center")
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    client.post(url, rating_rows({roster["a"]["level3"]: "qualified"}))
    assert "已保存：新评定 1 个" in client.get(url).content.decode()


def test_a_message_not_yet_shown_is_dropped_at_logout(client_for, users, roster, q1):
    client = client_for("center")
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    client.post(url, rating_rows({roster["a"]["level3"]: "qualified"}))  # its message waits in a cookie
    assert client.cookies["messages"].value
    client.post("/accounts/logout/")
    assert not client.cookies["messages"].value  # deleted with the logout's response
    client.force_login(users["street"])
    assert "已保存" not in client.get(url).content.decode()
