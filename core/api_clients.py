"""Registering the external systems that call the API (core.api), and their tokens.

A token is `wc_` and 43 random characters; only its SHA-256 digest is stored, so a leaked database gives
no working token. It is shown once, when issued or rotated; a rotated token stops working at once, and a
revoked client can make no more calls (its records keep naming it)."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.models import ApiClient, ApiScope
from core.roles import Role

TOKEN_PREFIX = "wc_"


class ApiClientError(Exception):
    pass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _require_admin(user) -> None:
    access.require(user, "core.add_apiclient")


@transaction.atomic
def register_client(*, user, name: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """A new client with its own account (no password: it cannot log in) and its first token."""
    _require_admin(user)
    name = name.strip()
    unknown = set(scopes) - set(ApiScope.values)
    if not name:
        raise ApiClientError(_("请填写系统名称。"))
    if not scopes or unknown:
        raise ApiClientError(_("请至少选择一项有效的权限范围。"))
    if ApiClient.objects.filter(name=name).exists():
        raise ApiClientError(_("已有名为“%(name)s”的接口客户端。") % {"name": name})
    account = get_user_model()(
        username=f"api-{secrets.token_hex(6)}", name=(_("接口：%(name)s") % {"name": name})[:50]
    )
    account.set_unusable_password()
    account.save()
    # It reads and writes what center staff do at district level; its scopes decide which API routes it may call.
    account.groups.add(Group.objects.get(name=Role.CENTER_STAFF))
    token = _new_token()
    client = ApiClient.objects.create(
        name=name,
        scopes=[s for s in ApiScope.values if s in scopes],
        user=account,
        token_digest=digest(token),
        token_prefix=token[:10],
        created_by=user,
    )
    return client, token


@transaction.atomic
def rotate_token(*, user, client: ApiClient) -> str:
    """A new token for the client, given by a 系统管理员; the old one stops working now."""
    _require_admin(user)
    return _replace_token(client)


@transaction.atomic
def rotate_own_token(*, client: ApiClient) -> str:
    """A new token the client asked for itself with its current one (POST /api/v1/token/rotate/)."""
    return _replace_token(client)


def _replace_token(client: ApiClient) -> str:
    if not client.is_active:
        raise ApiClientError(_("“%(name)s”已吊销，不能更换令牌。") % {"name": client.name})
    token = _new_token()
    client.token_digest, client.token_prefix, client.rotated_at = digest(token), token[:10], timezone.now()
    client.save(update_fields=["token_digest", "token_prefix", "rotated_at"])
    return token


@transaction.atomic
def revoke_client(*, user, client: ApiClient) -> None:
    """No more calls from this client; what it wrote stays, naming it."""
    _require_admin(user)
    if client.is_active:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        client.user.is_active = False
        client.user.save(update_fields=["is_active"])


def client_for_token(token: str) -> ApiClient | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return ApiClient.objects.select_related("user").filter(token_digest=digest(token)).first()
