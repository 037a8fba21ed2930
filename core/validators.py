"""Plausibility checks shared by forms and importers."""

import datetime as dt

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def plausible_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def validate_plausible_moment(value: dt.date | dt.datetime) -> None:
    """Refuse dates far outside the life of the programme (typos such as 0202 or 20222)."""
    if value is not None and not plausible_year(value.year):
        raise ValidationError(
            _("年份应在 %(a)d 到 %(b)d 之间。"),
            params={"a": EARLIEST_YEAR, "b": LATEST_YEAR},
            code="implausible",
        )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum-length rule, with the message in Chinese (Django's zh-hans catalogue lacks it)."""

    def get_error_message(self) -> str:
        return _("密码长度太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
