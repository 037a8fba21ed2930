from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("季度考核")

    def seed_demo(self, *, year: int) -> dict:
        from assessments.demo import seed_assessments

        return seed_assessments(year)
