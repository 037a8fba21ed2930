from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报表")

    def ready(self):
        from core.navigation import Item, register

        register(
            _("报表"),
            [
                Item(_("数据看板"), "reports:dashboard", perm="reports.view_selfevaluation"),
                Item(_("月度通报"), "reports:bulletin_latest", perm="reports.view_selfevaluation"),
                Item(_("绩效自评"), "reports:evaluations", perm="reports.view_selfevaluation"),
            ],
            order=40,
        )

    def seed_demo(self, *, year: int) -> dict:
        from reports.demo import seed_evaluation

        return seed_evaluation(year)
