"""Start-up checks of the disbursement settings: a broken 文号 pattern is found before the first payment."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def notice_number_format(app_configs=None, **kwargs):
    from disbursements.services.notice_numbers import pattern_problem

    problem = pattern_problem(settings.NOTICE_NUMBER_FORMAT)
    if problem is None:
        return []
    return [
        Error(problem, hint="NOTICE_NUMBER_FORMAT，如 望网格〔{year}〕{number}号", id="disbursements.E001")
    ]
