"""Password validators with Chinese messages; the years a year filter offers (dates: core.normalise)."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _

# The years a year filter or field offers; a date itself keeps to core.normalise.plausible_date.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum-length rule, with the message in Chinese (Django's zh-hans catalogue lacks it)."""

    def get_error_message(self) -> str:
        return _("密码长度太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
