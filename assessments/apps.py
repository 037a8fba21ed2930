from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("季度考核")

    def ready(self):
        from assessments.jobs import register_jobs

        register_jobs()
        from assessments.services.periods import last_locked_quarter
        from assessments.todos import center_quarter_to_dos, street_rating_to_dos
        from core.navigation import Item, Role, register
        from core.todos import TO_DOS
        from grids.history import CLOSED_UNTIL

        CLOSED_UNTIL.append(last_locked_quarter)
        TO_DOS.extend([street_rating_to_dos, center_quarter_to_dos])

        register(
            _("考核"),
            [
                Item(_("考核季度"), "assessments:periods", perm="assessments.view_assessmentperiod"),
                Item(_("12345 工单"), "assessments:complaints", perm="assessments.view_hotlinecomplaint"),
                Item(
                    _("未匹配工单"),
                    "assessments:unmatched_complaints",
                    perm="assessments.change_hotlinecomplaint",
                    roles=(Role.CENTER_STAFF,),
                ),
                Item(_("雷锋哨哨单"), "assessments:tickets", perm="assessments.view_whistleticket"),
                Item(_("哨单统计"), "assessments:ticket_statistics", perm="assessments.view_whistleticket"),
            ],
            order=20,
        )

    def seed_demo(self, *, year: int) -> dict:
        from assessments.demo import seed_assessments

        return seed_assessments(year)
