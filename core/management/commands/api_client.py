"""Register, rotate, revoke and list the API's clients from the command line (the admin's 接口客户端
page does the same): for a deployment script, or the README's walk-through of the 12345 platform."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core import api_clients
from core.models import ApiClient, ApiScope


class Command(BaseCommand):
    help = "管理数据交换接口的客户端：add 登记并发放令牌、rotate 更换令牌、revoke 吊销、list 列出。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "rotate", "revoke", "list"])
        parser.add_argument("name", nargs="?", help="系统名称，如 12345热线平台")
        parser.add_argument(
            "--scope",
            action="append",
            choices=ApiScope.values,
            default=[],
            help="权限范围（可重复）：" + "、".join(f"{v} {label}" for v, label in ApiScope.choices),
        )
        parser.add_argument("--by", default="admin", help="经办的系统管理员用户名（默认 admin）")

    def handle(self, *args, action, name, scope, by, **options):
        if action == "list":
            for client in ApiClient.objects.all():
                state = "有效" if client.is_active else "已吊销"
                self.stdout.write(f"{client.name}\t{client.token_prefix}…\t{state}\t{client.scope_labels()}")
            return
        if not name:
            raise CommandError("请给出系统名称。")
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"找不到用户“{by}”（--by 应为一名系统管理员）。")
        try:
            if action == "add":
                _client, token = api_clients.register_client(user=user, name=name, scopes=scope)
            else:
                client = ApiClient.objects.filter(name=name).first()
                if client is None:
                    raise CommandError(f"没有名为“{name}”的接口客户端。")
                if action == "revoke":
                    api_clients.revoke_client(user=user, client=client)
                    self.stdout.write(f"已吊销“{name}”。")
                    return
                token = api_clients.rotate_token(user=user, client=client)
        except api_clients.ApiClientError as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"用户“{by}”不是系统管理员，不能管理接口客户端。") from exc
        # The token alone on stdout, so that a script can take it: TOKEN=$(manage.py api_client add …)
        self.stderr.write(f"“{name}”的令牌（只显示这一次）：")
        self.stdout.write(token)
