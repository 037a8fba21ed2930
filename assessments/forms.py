from collections import defaultdict
from decimal import Decimal

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from assessments import rules
from assessments.complaint_types import parse_types
from assessments.entries import RatingInput, RatingNote
from assessments.models import Rating, RatingReward
from core.forms import Form, GroupedModelChoiceField, MoneyField
from core.numbers import int_param
from grids.models import Grid, GridLevel

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT = {"widget": DATETIME_WIDGET}
QUOTA = {"min_value": 0, "max_value": 100000}
MONEY_FIELD = {"min_value": Decimal("0")}


class UnlockForm(Form):
    # The reason is kept as the history's change reason, which holds 100 characters with its prefix.
    reason = forms.CharField(label=_("解锁理由"), max_length=90, widget=forms.TextInput())


def _disable(form: forms.Form, read_only: bool) -> None:
    """Show a year's settings without letting them change (assessments.services.periods.settings_frozen)."""
    if read_only:
        for field in form.fields.values():
            field.disabled = True


class YearSettingsForm(Form):
    level3_quota = forms.IntegerField(label=_("三级网格每季度优秀名额"), **QUOTA)
    level4_quota = forms.IntegerField(label=_("四级网格每季度优秀名额"), **QUOTA)
    zero_urban = MoneyField(label=_("城市社区零投诉奖励（元/季度）"), **MONEY_FIELD)
    zero_rural = MoneyField(label=_("其他村（社区）零投诉奖励（元/季度）"), **MONEY_FIELD)
    complaint_types = forms.CharField(
        label=_("计入投诉的诉求类型"),
        max_length=200,
        help_text=_("12345 工单中只有这些诉求类型计入零投诉统计，多个用顿号分隔，例如：投诉、举报。"),
    )

    def __init__(self, *args, settings, read_only: bool = False, **kwargs):
        rewards = {(r.level, r.rating): r.amount for r in RatingReward.objects.filter(year=settings)}
        initial = {
            "level3_quota": settings.level3_excellent_quota,
            "level4_quota": settings.level4_excellent_quota,
            "zero_urban": settings.zero_complaint_reward_urban,
            "zero_rural": settings.zero_complaint_reward_rural,
            "complaint_types": "、".join(settings.complaint_types),
        }
        super().__init__(*args, initial=initial, **kwargs)
        for level in (GridLevel.LEVEL3, GridLevel.LEVEL4):
            for rating in Rating:
                name = f"reward_{level}_{rating.value}"
                self.fields[name] = MoneyField(
                    label=_("%(level)s“%(rating)s”奖励（元/季度）")
                    % {"level": GridLevel(level).label, "rating": rating.label},
                    **MONEY_FIELD,
                )
                self.initial[name] = rewards.get((level, rating.value), Decimal("0.00"))
        _disable(self, read_only)

    def clean_complaint_types(self) -> list[str]:
        try:
            return parse_types(self.cleaned_data["complaint_types"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def rating_rewards(self) -> dict:
        return {
            (level, rating.value): self.cleaned_data[f"reward_{level}_{rating.value}"]
            for level in (GridLevel.LEVEL3, GridLevel.LEVEL4)
            for rating in Rating
        }


class StreetQuotaForm(Form):
    """One number per street: its share of a level's excellent quota."""

    def __init__(self, *args, streets, initial_quotas: dict[int, int], read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.streets = list(streets)
        for street in self.streets:
            self.fields[f"street_{street.pk}"] = forms.IntegerField(
                label=street.name, initial=initial_quotas.get(street.pk, 0), **QUOTA
            )
        _disable(self, read_only)

    def quotas(self) -> dict[int, int]:
        return {street.pk: self.cleaned_data[f"street_{street.pk}"] for street in self.streets}


class RatingRowForm(Form):
    """One grid's row on the rating page: the grid itself (hidden), its rating, score and remark.

    The grid travels with the row, so a row is applied to the grid it was shown for even if the
    community's grids changed since the page was loaded; a grid outside the community is refused.
    """

    grid = forms.IntegerField(
        widget=forms.HiddenInput(attrs={"class": "rating-key"})  # sent with the quota counter's choices
    )
    rating = forms.ChoiceField(label=_("考核等次"), choices=Rating.choices, required=False)
    # Read by rules.parse_score, as in an import: one rule (0 to 100, 2 places) and one wording.
    score = forms.CharField(label=_("得分"), required=False)
    remark = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, grid_ids: frozenset[int], filling: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # One set shared by every row: a choice list per row would cost time growing with the square of
        # the rows (Django normalises a field's choices when they are set).
        self.grid_ids = grid_ids
        self.filling = filling

    def clean_grid(self) -> int:
        grid_id = self.cleaned_data["grid"]
        if grid_id not in self.grid_ids:
            raise forms.ValidationError(
                _("网格（ID %(value)s）不是本村（社区）本季度参与考核的三、四级网格。"),
                params={"value": grid_id},
            )
        return grid_id

    def clean_score(self):
        if not self.cleaned_data.get("rating") and not self.filling:
            return None  # 保存全部 leaves an unchosen grid as it is, whatever was typed beside it
        try:
            return rules.parse_score(self.cleaned_data["score"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class BaseRatingFormSet(forms.BaseFormSet):
    """The rating page's rows, one per level-3/4 grid of a community (community_entry's list)."""

    def __init__(self, data=None, *, grids: list[dict], filling: bool = False, **kwargs):
        self.grids = grids
        self.grids_by_pk = {g["pk"]: g for g in grids}
        # A posted page brings its own rows: the saved ratings are shown only on a fresh page.
        initial = None if data is not None else [_row_initial(g) for g in grids]
        super().__init__(
            data,
            initial=initial,
            prefix="row",
            form_kwargs={"grid_ids": frozenset(self.grids_by_pk), "filling": filling},
            **kwargs,
        )

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.is_bound and index is not None:
            # Each row gets its own fields only: every form normalises the data it is given, and the
            # whole page's data for each row would take time growing with the square of the rows
            # (over ten seconds for 250 grids).
            kwargs["data"] = self._data_by_row.get(index, {})
        return kwargs

    @cached_property
    def _data_by_row(self) -> dict[int, dict]:
        rows = defaultdict(dict)
        for key, value in self.data.items():
            index, dash, field = key.removeprefix(f"{self.prefix}-").partition("-")
            if key.startswith(f"{self.prefix}-") and index.isdigit() and dash and field:
                rows[int(index)][key] = value
        return rows

    def grid_of(self, form) -> dict | None:
        """The grid a row was shown for (None for an id outside the community)."""
        return self.grids_by_pk.get(int_param(str(form["grid"].value() or "")))

    def rows(self) -> list[tuple[dict | None, forms.Form]]:
        return [(self.grid_of(form), form) for form in self.forms]

    def page_rows(self) -> list[tuple[dict | None, "PostedRow | SavedRow"]]:
        """What the page shows of each row. A page not posted shows the saved ratings without building a
        form per grid (their fields' deep copies were a quarter of the page's time)."""
        if self.is_bound:
            return [(grid, PostedRow(form)) for grid, form in self.rows()]
        return [
            (grid, SavedRow(f"{self.prefix}-{i}", _row_initial(grid))) for i, grid in enumerate(self.grids)
        ]

    def chosen(self) -> dict[int, str]:
        """The rows' ratings as chosen (grid id → rating), valid or not: what the quota counter counts."""
        return {
            grid["pk"]: row.value("rating") for grid, row in self.page_rows() if grid and row.value("rating")
        }

    def problems(self) -> list[str]:
        """Every error of the page in words, each row's under its grid's name (the summary message)."""
        problems = [str(e) for e in self.non_form_errors()]
        for grid, form in self.rows():
            for errors in form.errors.values():
                problems.extend(f"{grid['name']}：{e}" if grid else str(e) for e in errors)
        return problems

    def _valid_rows(self):
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("grid") is not None]

    def entries(self) -> list[RatingInput]:
        """The chosen ratings, for rating_services.save_ratings."""
        return [
            RatingInput(row["grid"], row["rating"], row["score"], row["remark"])
            for row in self._valid_rows()
            if row["rating"]
        ]

    def notes(self) -> dict[int, RatingNote]:
        """The score and remark typed beside grids left unchosen, for rating_services.rate_unrated."""
        return {
            row["grid"]: RatingNote(row["score"], row["remark"])
            for row in self._valid_rows()
            if not row["rating"] and (row["score"] is not None or row["remark"])
        }


class PostedRow:
    """A posted row as the page shows it: the values sent and the errors found."""

    def __init__(self, form):
        self.form = form

    def name(self, field: str) -> str:
        return self.form[field].html_name

    def id(self, field: str) -> str:
        return self.form[field].auto_id

    def value(self, field: str):
        return self.form[field].value()

    def errors(self, field: str) -> list:
        return self.form.errors.get(field, [])

    def all_errors(self) -> list:
        return [e for errors in self.form.errors.values() for e in errors]


class SavedRow:
    """A row of a page not posted: the grid's saved rating, score and remark, under the form's names."""

    def __init__(self, prefix: str, initial: dict):
        self.prefix, self.initial = prefix, initial

    def name(self, field: str) -> str:
        return f"{self.prefix}-{field}"

    def id(self, field: str) -> str:
        return f"id_{self.prefix}-{field}"

    def value(self, field: str):
        return self.initial.get(field)

    def errors(self, field: str) -> list:
        return []

    def all_errors(self) -> list:
        return []


def _row_initial(grid: dict) -> dict:
    current = grid["current"] or {}
    return {"grid": grid["pk"], **{k: current[k] for k in ("rating", "score", "remark") if k in current}}


RatingFormSet = forms.formset_factory(RatingRowForm, formset=BaseRatingFormSet, extra=0)


class RatingFillForm(Form):
    """一键设定: the rating every still unrated grid of the community is given."""

    bulk_rating = forms.ChoiceField(
        label=_("其余未评定设为"),
        choices=Rating.choices,
        initial=Rating.QUALIFIED,
        error_messages={
            "required": _("请选择要给未评定网格设定的考核等次。"),
            "invalid_choice": _("请选择要给未评定网格设定的考核等次。"),
        },
    )


def street_name(grid) -> str:
    return grid.street.name


class ComplaintForm(Form):
    ticket_no = forms.CharField(label=_("工单编号"), max_length=40)
    received_at = forms.DateTimeField(label=_("受理时间"), **MOMENT)
    community = GroupedModelChoiceField(
        label=_("村（社区）"), queryset=Grid.objects.none(), group_by=street_name
    )
    category = forms.CharField(label=_("问题类别"), max_length=50, required=False)
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class AssignForm(Form):
    community = GroupedModelChoiceField(
        label=_("村（社区）"), queryset=Grid.objects.none(), group_by=street_name
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class InvalidateForm(Form):
    reason = forms.CharField(label=_("核减理由"), max_length=200)


class TicketForm(Form):
    number = forms.CharField(label=_("哨单编号"), max_length=40)
    grid_code = forms.CharField(label=_("网格编码"), max_length=32)
    reporter = forms.CharField(label=_("采集人"), max_length=50)
    collected_at = forms.DateTimeField(label=_("采集时间"), **MOMENT)
    # 问题类别 is optional, as in a ledger import; whoever types a ticket in knows what the problem is.
    category = forms.CharField(label=_("问题类别"), max_length=50, required=False)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.CharField(label=_("责任单位"), max_length=100, required=False)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = grids

    def clean_grid_code(self):
        code = "".join(self.cleaned_data["grid_code"].split())
        grid = self.grids.filter(code=code, level__gte=GridLevel.COMMUNITY).first()
        if grid is None:
            raise forms.ValidationError(
                _("找不到编码为“%(code)s”的网格（或不在您的管辖范围内）。"), params={"code": code}
            )
        self.cleaned_data["grid"] = grid
        return code


class AdvanceForm(Form):
    at = forms.DateTimeField(label=_("时间"), **MOMENT)
    department = forms.CharField(label=_("责任单位"), max_length=100, required=False)
