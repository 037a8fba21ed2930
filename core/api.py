"""What every route of the data-exchange API (/api/v1/, Django REST Framework) shares.

- Authentication, scopes and the rate limit are core.api_auth (DRF's settings load them early).
- A call is made by a registered external system (core.models.ApiClient) with its token:
  `Authorization: Bearer wc_…`; user passwords and browser sessions are not accepted.
- Each view names the scope it needs (`required_scope`); a client without it is refused (403).
- Calls are rate-limited per client (settings.API_RATE) and each is logged (core.models.ApiCall).
- Errors are JSON problem details (RFC 9457) with Chinese messages and, where they concern one, the field
  or the item: `{"type", "title", "status", "detail", "errors": [{"field", "message"}]}`.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from core.api_auth import ClientRateThrottle
from core.models import ApiCall, ApiClient

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "请求内容有误",
    401: "未认证",
    403: "没有权限",
    404: "不存在",
    405: "不支持该方法",
    406: "无法提供所要求的格式",
    413: "请求内容过大",
    415: "不支持的内容类型",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    # The links are made from the decoded query, not the raw one: a client that sends 街道 unencoded
    # (curl does) would otherwise get a next link with the name garbled.
    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None

    def _link(self, number: int) -> str:
        query = self.request.query_params.copy()
        query.pop(self.page_query_param, None)
        if number > 1:
            query[self.page_query_param] = str(number)
        url = self.request.build_absolute_uri(self.request.path)
        return f"{url}?{query.urlencode()}" if query else url


class ApiView(APIView):
    """A route of the API: token, scope, throttle, problem details, and a line in the call log."""

    required_scope: str = ""
    items_in_call = 0  # the view sets how many items a call carried, for the log

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        client = getattr(request, "auth", None)
        client = client if isinstance(client, ApiClient) else None
        if client is not None or response.status_code != 429:  # a flood without a token is not written down
            _log_call(request, response.status_code, client, self)
        return response

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        try:
            super().initial(request, *args, **kwargs)
        except (exceptions.NotAuthenticated, exceptions.AuthenticationFailed, exceptions.PermissionDenied):
            # DRF throttles only what got past the token and the scope: refused calls count too (guessing
            # tokens is as limited as calling), against the client or, without one, the address.
            throttle = ClientRateThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
            raise


def _log_call(request, status_code: int, client: ApiClient | None, view: ApiView) -> None:
    started = getattr(view, "_started", None)
    elapsed = int((time.monotonic() - started) * 1000) if started else 0
    now = timezone.now()
    try:
        with transaction.atomic():
            ApiCall.objects.create(
                client=client,
                at=now,
                method=request.method[:8],
                path=request.get_full_path()[:300],
                status=status_code,
                items=view.items_in_call,
                duration_ms=elapsed,
            )
            if client is not None:
                ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            if cache.add("api-calls-pruned", True, timeout=24 * 3600):  # once a day, whoever calls first
                ApiCall.objects.filter(at__lt=now - timedelta(days=settings.API_LOG_KEEP_DAYS)).delete()
    except Exception:  # the answer matters more than its log line
        logger.exception("could not log an API call")


def problem_details(exc, context):
    """Every error of the API as problem details, in Chinese; an unexpected one is logged and answered 500."""
    if isinstance(exc, RecursionError):  # JSON nested thousands deep: the parser gives up this way
        exc = exceptions.ParseError(_("JSON 嵌套层次过深。"))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("所请求的对象不存在。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("没有权限。"))
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API error", exc_info=exc)
        response = Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        detail, errors = _("服务器内部错误，请稍后重试；如持续出现请联系系统管理员。"), []
    elif isinstance(exc, exceptions.ValidationError):
        errors = list(_flatten(exc.detail))
        detail = _("请求内容有 %(n)d 处问题。") % {"n": len(errors)}
    else:
        detail, errors = str(getattr(exc, "detail", exc)), []
    response.data = {
        "type": "about:blank",
        "title": TITLES.get(response.status_code, _("请求未完成")),
        "status": response.status_code,
        "detail": detail,
        "errors": errors,
    }
    response.content_type = PROBLEM_TYPE
    return response


def problem(status_code: int, detail: str, errors: list[dict] | None = None) -> Response:
    """A problem-details answer a view gives itself (a rule, not an exception)."""
    data = {
        "type": "about:blank",
        "title": TITLES.get(status_code, _("请求未完成")),
        "status": status_code,
        "detail": detail,
        "errors": errors or [],
    }
    return Response(data, status=status_code, content_type=PROBLEM_TYPE)


def _flatten(detail, path: str = ""):
    """DRF's nested validation messages as [{"field": "items[3].received_at", "message": "…"}]."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            yield from _flatten(value, f"{path}.{name}" if path and name else (name or path))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for message in detail:
                yield {"field": path, "message": str(message)}
        else:
            for index, item in enumerate(detail):
                if item:
                    yield from _flatten(item, f"{path}[{index}]")
    else:
        yield {"field": path, "message": str(detail)}


class ClientTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: every route asks for `Authorization: Bearer <token>`."""

    target_class = "core.api_auth.ClientTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "系统管理员登记接口客户端时发放的令牌（wc_…）",
        }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details；errors 列出每处问题及其字段或条目（如 items[3].received_at）。",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
# The errors every route may answer, and those only a route with a body may.
ROUTE_PROBLEMS = {"400": "请求内容或参数有误", "401": "未提供令牌、令牌无效或客户端已吊销", "403": "客户端没有该权限范围",
                  "404": "对象或页码不存在", "429": "超出调用频率，Retry-After 指明等待秒数"}  # fmt: skip
BODY_PROBLEMS = {"415": "请求体不是 JSON"}


def document_problems(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents its problem-details answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            problems = ROUTE_PROBLEMS | (BODY_PROBLEMS if method in ("post", "put", "patch") else {})
            responses = operation.setdefault("responses", {})
            for code, description in problems.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result


def not_found(request, *args, **kwargs):
    """Any address under /api/ that no route matches (a negative id, a typo): a problem, not the site's page."""
    data = {
        "type": "about:blank",
        "title": TITLES[404],
        "status": 404,
        "detail": _("接口地址不存在。"),
        "errors": [],
    }
    return JsonResponse(
        data, status=404, content_type=PROBLEM_TYPE, json_dumps_params={"ensure_ascii": False}
    )
