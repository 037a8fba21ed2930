"""The API's authentication, scope check and rate limit (core.api), named in settings.REST_FRAMEWORK.

Kept apart from core.api: DRF imports these while its views module loads, so they must not import it."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from core.api_clients import client_for_token
from core.http import client_ip
from core.models import ApiClient, ApiScope


class ClientTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` of an active ApiClient; the request then acts as its account."""

    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        kind, _space, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed(_("请在 Authorization 请求头中提供“Bearer 令牌”。"))
        client = client_for_token(token.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已更换。"))
        if not client.is_active:
            raise exceptions.AuthenticationFailed(_("该接口客户端已被吊销。"))
        return client.user, client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The client holds the view's `required_scope`."""

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated(_("请使用接口令牌调用（Authorization: Bearer …）。"))
        scope = view.required_scope
        if scope and scope not in client.scopes:  # no scope: any client (its own token)
            raise exceptions.PermissionDenied(
                _("该客户端没有“%(scope)s”的权限范围。") % {"scope": ApiScope(scope).label}
            )
        return True


class ClientRateThrottle(SimpleRateThrottle):
    """settings.API_RATE calls per client (e.g. "600/min"); calls refused for their token count against
    their address (the client's, behind PROXY_COUNT proxies: core.http.client_ip), see core.api.ApiView."""

    scope = "client"

    def get_rate(self):
        return settings.API_RATE

    def get_cache_key(self, request, view):
        ident = request.auth.pk if isinstance(request.auth, ApiClient) else f"address:{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
