from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报表")

    def ready(self):
        from core.freezes import YEAR_FREEZES
        from core.navigation import Item, register
        from grids.history import CLOSED_UNTIL
        from reports.jobs import register_jobs
        from reports.selectors import finalised_years, last_finalised_year

        register_jobs()
        YEAR_FREEZES.append(finalised_years)
        CLOSED_UNTIL.append(last_finalised_year)

        register(
            _("报表"),
            [
                Item(_("数据看板"), "reports:dashboard", perm="reports.view_selfevaluation", district=True),
                Item(_("月度通报"), "reports:bulletin_latest", perm="reports.view_selfevaluation"),
                Item(_("绩效自评"), "reports:evaluations", perm="reports.view_selfevaluation", district=True),
                Item(_("开启新年度"), "reports:open_year", perm="reports.open_year"),
            ],
            order=40,
        )

    def seed_demo(self, *, year: int) -> dict:
        from reports.demo import seed_evaluation

        return seed_evaluation(year)

    def seed_demo_next_year(self, *, year: int) -> dict:
        from reports.demo import seed_next_year

        return seed_next_year(year)
