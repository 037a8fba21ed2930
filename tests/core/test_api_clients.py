"""The API's clients (core.api_clients, core.api_auth, core.api): tokens, scopes, rotation, revocation,
the rate limit, problem details and the call log."""

import pytest
from django.test import Client

from core import api_clients
from core.api_clients import ApiClientError
from core.models import ApiCall, ApiClient, ApiScope

PERIODS = "/api/v1/periods/"


@pytest.fixture
def issue(users):
    def issue(name="12345热线平台", scopes=(ApiScope.PUSH_HOTLINE, ApiScope.READ_RESULTS)):
        return api_clients.register_client(user=users["admin"], name=name, scopes=list(scopes))

    return issue


def call(token, path=PERIODS, method="get", **data):
    client = Client()
    send = getattr(client, method)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "post":
        return send(path, data=data, content_type="application/json", **headers)
    return send(path, **headers)


def test_a_registered_client_calls_with_its_token_and_only_its_digest_is_kept(issue, year):
    client, token = issue()
    assert token.startswith("wc_") and len(token) > 40
    assert token not in (
        client.token_digest,
        client.token_prefix,
    ) and client.token_digest == api_clients.digest(token)
    assert not client.user.has_usable_password()  # its account cannot sign in to the site
    response = call(token)
    assert response.status_code == 200
    assert [(p["year"], p["quarter"], p["is_locked"]) for p in response.json()] == [
        (2022, q, False) for q in (1, 2, 3, 4)
    ]
    client.refresh_from_db()
    assert client.last_used_at is not None
    log = ApiCall.objects.get()
    assert (log.client, log.method, log.path, log.status) == (client, "GET", PERIODS, 200)


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("", "请使用接口令牌调用（Authorization: Bearer …）。"),
        ("Bearer wc_not-a-token", "令牌无效或已更换。"),
        ("Token abc", "请在 Authorization 请求头中提供“Bearer 令牌”。"),
    ],
)
def test_a_call_without_a_valid_token_is_a_401_problem_in_chinese(db, header, detail):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get(PERIODS, **headers)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "type": "about:blank",
        "title": "未认证",
        "status": 401,
        "detail": detail,
        "errors": [],
    }


def test_a_signed_in_user_s_session_is_no_api_credential(client_for, year):
    assert client_for("admin").get(PERIODS).status_code == 401


def test_a_client_without_the_scope_is_refused(issue, year):
    _client, token = issue(name="网格App", scopes=[ApiScope.PUSH_WHISTLE])
    response = call(token)
    assert response.status_code == 403
    assert response.json()["detail"] == "该客户端没有“读取考核结果”的权限范围。"
    pushed = call(token, "/api/v1/hotline/tickets/", "post", items=[])
    assert pushed.status_code == 403 and pushed.json()["detail"] == "该客户端没有“推送12345工单”的权限范围。"


def test_a_rotated_token_replaces_the_old_one_at_once(issue, users, year):
    client, old = issue()
    new = api_clients.rotate_token(user=users["admin"], client=client)
    assert new != old
    assert call(old).status_code == 401 and call(new).status_code == 200


def test_a_revoked_client_can_call_no_more(issue, users, year):
    client, token = issue()
    api_clients.revoke_client(user=users["admin"], client=client)
    response = call(token)
    assert response.status_code == 401 and response.json()["detail"] == "该接口客户端已被吊销。"
    with pytest.raises(ApiClientError, match="已吊销"):
        api_clients.rotate_token(user=users["admin"], client=client)


def test_only_a_system_administrator_registers_clients(users):
    from django.core.exceptions import PermissionDenied

    for role in ("center", "street", "finance", "leader"):
        with pytest.raises(PermissionDenied):
            api_clients.register_client(user=users[role], name="某系统", scopes=[ApiScope.READ_RESULTS])
    with pytest.raises(ApiClientError, match="权限范围"):
        api_clients.register_client(user=users["admin"], name="某系统", scopes=["everything"])
    assert not ApiClient.objects.exists()


def test_calls_over_the_rate_are_refused_with_429_and_retry_after(issue, year, settings):
    settings.API_RATE = "3/min"
    _client, token = issue()
    answers = [call(token).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = call(token)
    assert refused.json()["title"] == "请求过于频繁" and int(refused["Retry-After"]) > 0
    _other, other_token = issue(name="市财政")
    assert call(other_token).status_code == 200  # the limit is each client's own


def test_the_admin_registers_a_client_and_shows_its_token_once(client_for, users):
    admin = client_for("admin")
    response = admin.post(
        "/admin/core/apiclient/add/",
        {"name": "12345热线平台", "scopes": [ApiScope.PUSH_HOTLINE, ApiScope.READ_RESULTS]},
        follow=True,
    )
    client = ApiClient.objects.get()
    page = response.content.decode()
    token = page.split("请立即复制并交给对方系统）：")[1].split("<")[0].strip()
    assert client.token_digest == api_clients.digest(token) and client.created_by == users["admin"]
    assert client.scopes == [ApiScope.PUSH_HOTLINE, ApiScope.READ_RESULTS]
    assert token not in admin.get(f"/admin/core/apiclient/{client.pk}/change/").content.decode()
    # revoke through the admin's action
    admin.post("/admin/core/apiclient/", {"action": "revoke", "_selected_action": [client.pk]})
    client.refresh_from_db()
    assert client.revoked_at is not None and not client.user.is_active


def test_the_command_line_registers_rotates_and_revokes_a_client(users, year, capsys):
    from django.core.management import CommandError, call_command

    users["admin"].username = "admin"
    users["admin"].save()
    call_command("api_client", "add", "12345热线平台", "--scope", "hotline:push", "--scope", "results:read")
    token = capsys.readouterr().out.strip()
    assert call(token).status_code == 200
    call_command("api_client", "rotate", "12345热线平台")
    new = capsys.readouterr().out.strip()
    assert call(token).status_code == 401 and call(new).status_code == 200
    call_command("api_client", "revoke", "12345热线平台")
    assert call(new).status_code == 401
    with pytest.raises(CommandError, match="不是系统管理员"):
        call_command(
            "api_client", "add", "市财政", "--scope", "results:read", "--by", users["center"].username
        )
    with pytest.raises(CommandError, match="没有名为"):
        call_command("api_client", "rotate", "不存在")


def test_a_client_replaces_its_own_token_and_the_old_one_stops_at_once(issue, year):
    client, token = issue(name="网格App", scopes=[ApiScope.PUSH_WHISTLE])
    response = call(token, "/api/v1/token/rotate/", "post")
    assert response.status_code == 200
    new = response.json()["token"]
    assert new.startswith("wc_") and response.json()["prefix"] == new[:10]
    assert call(token, "/api/v1/token/rotate/", "post").status_code == 401
    client.refresh_from_db()
    assert client.token_digest == api_clients.digest(new) and client.rotated_at is not None


def test_the_call_log_forgets_calls_older_than_its_keeping_days_once_a_day(issue, year, settings):
    import datetime as dt

    from django.utils import timezone

    settings.API_LOG_KEEP_DAYS = 30
    client, token = issue()
    old = ApiCall.objects.create(
        client=client, method="GET", path=PERIODS, status=200, at=timezone.now() - dt.timedelta(days=31)
    )
    kept = ApiCall.objects.create(
        client=client, method="GET", path=PERIODS, status=200, at=timezone.now() - dt.timedelta(days=29)
    )
    call(token)
    assert set(ApiCall.objects.values_list("pk", flat=True)) - {old.pk} >= {kept.pk}
    assert not ApiCall.objects.filter(pk=old.pk).exists() and ApiCall.objects.count() == 2
    older = ApiCall.objects.create(
        client=client, method="GET", path=PERIODS, status=200, at=timezone.now() - dt.timedelta(days=40)
    )
    call(token)  # the same day: no second pruning
    assert ApiCall.objects.filter(pk=older.pk).exists()


def test_calls_refused_for_their_token_count_against_the_address_and_a_flood_is_not_logged(db, settings):
    settings.API_RATE = "2/min"
    answers = [call("wc_guess").status_code for _ in range(4)]
    assert answers == [401, 401, 429, 429]
    assert ApiCall.objects.filter(status=401).count() == 2 and not ApiCall.objects.filter(status=429).exists()


def test_a_client_without_the_scope_is_throttled_too(issue, year, settings):
    settings.API_RATE = "2/min"
    _client, token = issue(name="网格App", scopes=[ApiScope.PUSH_WHISTLE])
    assert [call(token).status_code for _ in range(3)] == [403, 403, 429]


def test_a_long_client_name_fits_its_account(issue):
    client, _token = issue(
        name="长沙市望城区人民政府办公室一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥十二三四五"
    )
    assert len(client.name) > 47 and len(client.user.name) == 50


def test_a_year_that_is_not_a_number_is_a_400_naming_it(issue, year):
    _client, token = issue()
    for value in ("²", "abc", "1999"):
        response = call(token, f"{PERIODS}?year={value}")
        assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["year"]


def test_json_nested_too_deep_is_a_400_not_a_500(issue, year):
    _client, token = issue()
    body = '{"items": ' + "[" * 5000 + "]" * 5000 + "}"
    response = Client().post(
        "/api/v1/hotline/tickets/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400 and response.json()["detail"] == "JSON 嵌套层次过深。"
