"""The API's own routes (core.api): a client replaces its token itself."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import api_clients
from core.api import ApiView


class NewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="新令牌：只返回这一次，旧令牌即刻失效")
    prefix = serializers.CharField(help_text="令牌前缀，管理后台据此辨认")


class TokenRotate(ApiView):
    required_scope = ""  # every client may replace its own token

    @extend_schema(
        operation_id="rotate_token",
        summary="更换本客户端的令牌",
        description="用当前令牌调用，返回新令牌；旧令牌即刻失效。系统管理员也可在管理后台更换或吊销。",
        request=None,
        responses={200: NewTokenSerializer},
        tags=["客户端"],
    )
    def post(self, request):
        token = api_clients.rotate_own_token(client=request.auth)
        return Response({"token": token, "prefix": token[:10]})
