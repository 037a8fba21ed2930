"""Login throttling, session expiry, password rules, CSRF and the Content-Security-Policy header."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from tests.factories import UserFactory

PASSWORD = "Wangcheng-2022-secret"


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", password=PASSWORD, role=Role.CENTER_STAFF)


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
    )


def test_five_wrong_passwords_lock_that_username_from_that_address(clerk):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USER - 1):
        response = attempt(client, "clerk", "wrong")
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode() or "不正确" in response.content.decode()
    locked = attempt(client, "clerk", "wrong")
    assert locked.status_code == 429
    assert "登录已暂停 15 分钟" in locked.content.decode()

    # Even the right password is refused while the lock lasts, and no session is opened.
    refused = attempt(client, "clerk", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session

    # The same user from another address, and another user from this address, are not locked.
    assert attempt(Client(), "clerk", PASSWORD, ip="10.0.0.2").status_code == 302
    UserFactory(username="other", password=PASSWORD, role=Role.LEADER)
    assert attempt(Client(), "other", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off_and_success_resets_the_count(clerk):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        attempt(client, "clerk", "wrong")
    assert attempt(client, "clerk", PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk", failures_since_start__gt=0).exists()


def spray(count: int, *, start: int = 0, **request):
    """One wrong password for each of `count` usernames; the status of each answer."""
    return [
        Client()
        .post(reverse("login"), {"username": f"user{i}", "password": "Spring-2022"}, **request)
        .status_code
        for i in range(start, start + count)
    ]


def test_one_password_against_twenty_usernames_locks_that_address(clerk):
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    assert limit > settings.LOGIN_FAILURES_PER_USER
    assert spray(limit - 1, REMOTE_ADDR="10.0.0.1") == [200] * (limit - 1)
    # A colleague behind the same address still logs in, and that does not wipe the address's count.
    assert attempt(Client(), "clerk", PASSWORD).status_code == 302
    assert spray(1, start=limit, REMOTE_ADDR="10.0.0.1") == [429]

    client = Client()
    refused = attempt(client, "clerk", PASSWORD)
    assert refused.status_code == 429 and "登录已暂停 15 分钟" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked.
    assert attempt(Client(), "clerk", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_per_user_limit_still_applies_below_the_address_limit(clerk):
    for _ in range(settings.LOGIN_FAILURES_PER_USER - 1):
        attempt(Client(), "clerk", "wrong")
    assert spray(3, REMOTE_ADDR="10.0.0.1") == [200] * 3  # 7 failures from the address: under its limit
    assert attempt(Client(), "clerk", "wrong").status_code == 429  # the clerk's fifth
    UserFactory(username="other", password=PASSWORD, role=Role.LEADER)
    assert attempt(Client(), "other", PASSWORD).status_code == 302


@override_settings(PROXY_COUNT=1)
def test_behind_the_proxy_spraying_locks_the_client_address_not_the_proxy(clerk):
    def through_proxy(forwarded: str):
        return Client().post(
            reverse("login"),
            {"username": "clerk", "password": PASSWORD},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    # The sprayer forges a leftmost entry of its own each time: the proxy's entry is the one counted.
    for i in range(limit):
        spray(1, start=i, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"8.8.{i}.1, 1.1.1.1")
    assert through_proxy("1.1.1.1").status_code == 429
    assert through_proxy("3.3.3.3").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"1.1.1.1"}


def test_a_session_expires_after_its_age_and_at_browser_close(clerk):
    client = Client()
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    session = client.session
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 3600
    assert session.get_expire_at_browser_close()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert client.get(reverse("grids:overview")).status_code == 200

    # A session past its age is no longer accepted: the next page asks to log in again.
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("grids:overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short7!", "密码长度太短"),
        ("40718293561", "只包含数字"),
        ("password123", "太常见"),
        ("clerk2022", "太相似"),
    ],
)
def test_password_change_applies_djangos_validators(clerk, new_password, message):
    client = Client()
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_a_post_without_the_csrf_token_is_refused(clerk, q1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(reverse("assessments:period_lock", args=[q1.pk]), {"reason": "x"})
    assert response.status_code == 403
    q1.refresh_from_db()
    assert not q1.is_locked


def test_every_response_carries_a_policy_without_inline_script(clerk):
    client = Client()
    client.force_login(clerk)
    for url in (reverse("login"), reverse("grids:overview")):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_administrator_finds_lockouts_in_the_admin_in_chinese(client_for):
    Client().post(reverse("login"), {"username": "someone", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    admin = client_for("admin")
    index = admin.get("/admin/").content.decode()
    assert "登录安全" in index and "登录锁定（删除即解除）" in index and "登录失败记录" in index
    attempts = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "someone" in attempts and "10.0.0.9" in attempts


@override_settings(PROXY_COUNT=1)
def test_behind_the_proxy_the_lockout_is_per_client_not_per_proxy(clerk):
    def through_proxy(forwarded: str, password: str):
        return Client().post(
            reverse("login"),
            {"username": "clerk", "password": password},
            REMOTE_ADDR="10.9.9.9",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        through_proxy("1.1.1.1", "wrong")
    assert through_proxy("1.1.1.1", PASSWORD).status_code == 429
    # Whatever the client prepends, the proxy's own entry (the last one) is the address that counts.
    assert through_proxy("2.2.2.2, 1.1.1.1", PASSWORD).status_code == 429
    # Another client behind the same proxy logs in: one attacker cannot lock the user out for everyone.
    assert through_proxy("3.3.3.3", PASSWORD).status_code == 302
    assert AccessAttempt.objects.get(username="clerk").ip_address == "1.1.1.1"


def test_the_administrator_cannot_take_over_a_superuser(client_for):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = client_for("admin")
    assert admin.get(f"/admin/core/user/{root.pk}/password/").status_code == 403
    response = admin.post(
        f"/admin/core/user/{root.pk}/password/",
        {"password1": "Taken-Over-2026", "password2": "Taken-Over-2026", "usable_password": "true"},
    )
    assert response.status_code == 403
    assert admin.post(f"/admin/core/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    root.refresh_from_db()
    assert not root.check_password("Taken-Over-2026")
    # Ordinary users stay in the administrator's hands.
    clerk = UserFactory(username="clerk2")
    assert admin.get(f"/admin/core/user/{clerk.pk}/password/").status_code == 200
