import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.forms import Form, ModelForm
from core.normalise import grid_code
from grids import history
from grids.models import CommunityKind, Grid, GridLevel, GridStaff
from grids.rules import kind_error, parent_error

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GridForm(Form):
    code = forms.CharField(label=_("网格编码"), max_length=32)
    name = forms.CharField(label=_("网格名称"), max_length=100)
    level = forms.TypedChoiceField(label=_("层级"), choices=GridLevel.choices, coerce=int)
    parent_code = forms.CharField(
        label=_("上级网格"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "parent-grids", "autocomplete": "off"}),
        help_text=_("输入名称或编码，从列表中选择；街镇（一级网格）不填。"),
    )
    kind = forms.ChoiceField(
        label=_("村（社区）类型"),
        choices=[("", "—"), *CommunityKind.choices],
        required=False,
        help_text=_("仅二级网格填写；决定“零投诉”奖励标准。"),
    )
    established_on = forms.DateField(
        label=_("设立日期"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        help_text=_("网格自该日起计入网格数、覆盖率和季度考核；须晚于已锁定季度的最后一天。"),
    )

    def __init__(self, *args, user, instance: Grid | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "level": instance.level,
                "parent_code": parent_text(instance.parent.name, instance.parent.code)
                if instance.parent_id
                else "",
                "kind": instance.kind,
                "established_on": instance.established_on,
            }
        super().__init__(*args, **kwargs)
        if access.street_scope(user) is not True:
            # Streets and villages/communities are kept by the center (see services.DISTRICT_LEVELS).
            self.fields["level"].choices = [c for c in GridLevel.choices if c[0] > GridLevel.COMMUNITY]
            self.fields["kind"].disabled = True
        if instance is not None:
            # The level of an existing grid is fixed: its children depend on it.
            self.fields["level"].disabled = True
            # A grid a closed period counted keeps its code, parent and 设立日期 (grids.history): shown
            # read-only with the reason, rather than refused after saving.
            fixed = history.code_error(instance.established_on, history.closed())
            if fixed:
                for name in ("code", "parent_code", "established_on"):
                    self.fields[name].disabled = True
                self.fields["code"].help_text = fixed

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if self.instance is None or code != self.instance.code:  # a stored code stays as it is
            try:
                code = grid_code(code)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        clash = Grid.objects.filter(code=code)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("网格编码“%(code)s”已被使用。"), params={"code": code})
        return code

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if level is None:
            return data
        parent = None
        parent_text = data.get("parent_code", "").strip()
        if parent_text:
            parent, problem = self._find_parent(parent_text)
            if problem:
                self.add_error("parent_code", problem)
                return data
        problem = parent_error(level, parent.level if parent else None)
        if problem:
            self.add_error("parent_code", problem)
        problem = kind_error(level, data.get("kind", ""))
        if problem:
            self.add_error("kind", problem)
        data["parent"] = parent
        return data

    def parent_options(self) -> list[tuple[str, str]]:
        """The datalist under 上级网格: every street, village and level-3 grid in scope, as its
        name（code） with its place, so a parent is chosen by name rather than typed as a 14–16 digit code."""
        rows = (
            Grid.objects.for_user(self.user)
            .active()
            .filter(level__lt=GridLevel.LEVEL4)
            .order_by("code")
            .values_list("code", "name", "level", "street__name", "community__name")
        )
        return [
            (
                parent_text(name, code),
                " / ".join(p for p in (street, community) if p) or str(GridLevel(level).label),
            )
            for code, name, level, street, community in rows
        ]

    def _find_parent(self, text: str) -> tuple[Grid | None, str | None]:
        """The parent named by an option (name（code）), a bare code or a name unique in scope."""
        match = PARENT_OPTION.match(text)
        code = "".join((match.group(1) if match else text).split())
        grids = Grid.objects.for_user(self.user)
        parent = grids.filter(code=code).first()
        if parent is not None:
            return parent, None
        named = list(grids.filter(name=text, level__lt=GridLevel.LEVEL4)[:2])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, _("有多个网格名为“%(name)s”，请从列表中选择（带编码）。") % {"name": text}
        return None, _("找不到网格“%(text)s”（或不在您的管辖范围内），请从列表中选择。") % {"text": text}


# An option of the 上级网格 list: 月坡社区（430112001001）; the code in brackets is what counts.
PARENT_OPTION = re.compile(r"^.*[（(]\s*([0-9A-Za-z\-]+)\s*[）)]\s*$")


def parent_text(name: str, code: str) -> str:
    return f"{name}（{code}）"


def _earliest(field: forms.DateField, shut: history.Closed | None) -> None:
    """Let the date picker start after the last closed day (the service refuses earlier dates)."""
    if shut is not None:
        field.widget.attrs["min"] = history.first_open_day(shut).isoformat()


class RetireForm(Form):
    retired_on = forms.DateField(label=_("撤销日期"), widget=DATE_INPUT, initial=timezone.localdate)

    def __init__(self, *args, closed: history.Closed | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _earliest(self.fields["retired_on"], closed)


class StaffForm(ModelForm):
    class Meta:
        model = GridStaff
        fields = ["name", "phone", "role", "started_on"]
        widgets = {"started_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["started_on"].initial = timezone.localdate


class EndPostForm(Form):
    ended_on = forms.DateField(label=_("离任日期"), widget=DATE_INPUT, initial=timezone.localdate)

    def __init__(self, *args, closed: history.Closed | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _earliest(self.fields["ended_on"], closed)
