from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core import access, jobs
from core.changes import kept_html
from core.formats import counted, date_text
from core.http import xlsx_response
from core.import_flow import ImportFlow
from core.numbers import int_param
from core.views import BoundedPaginationMixin, CapabilityRequiredMixin
from grids import exports, history, selectors, services
from grids.exceptions import GridError, ImportRejected
from grids.filters import GridFilter, StaffFilter
from grids.forms import EndPostForm, GridForm, RetireForm, StaffForm
from grids.importers import build_roster_plan
from grids.models import Grid, GridLevel, GridStaff
from grids.tables import GridTable, StaffTable


def _grid_or_404(request, pk) -> Grid:
    access.require(request.user, "grids.view_grid")
    try:
        return selectors.grid_detail(request.user, pk)
    except Grid.DoesNotExist:
        raise Http404(_("网格不存在或不在您的管辖范围内。")) from None


def overview(request):
    access.require(request.user, "grids.view_grid")
    return render(request, "grids/overview.html", selectors.roster_overview(request.user))


def tree(request):
    access.require(request.user, "grids.view_grid")
    try:
        community_id = int(request.GET.get("community", ""))
    except ValueError:
        community_id = None

    def context():
        tree = selectors.roster_tree(request.user, community_id=community_id)
        return None if community_id and tree["selected"] is None else tree

    # Kept until the roster changes: the tree of a city's 146 villages is 20-50 ms to read and write.
    html = kept_html(
        "grids/includes/tree_content.html", f"{access.street_scope(request.user)}:{community_id}", context
    )
    if html is None:
        raise Http404(_("村（社区）不存在或不在您的管辖范围内。"))
    return render(request, "grids/tree.html", {"tree_html": html})


class GridListView(CapabilityRequiredMixin, BoundedPaginationMixin, SingleTableMixin, FilterView):
    required_permission = "grids.view_grid"
    table_class = GridTable
    filterset_class = GridFilter
    template_name = "grids/grid_list.html"

    @staticmethod
    def base_queryset(user):
        return Grid.objects.for_user(user).for_table().with_staffed().order_by("code")

    def get_queryset(self):
        return self.base_queryset(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


class StaffListView(CapabilityRequiredMixin, BoundedPaginationMixin, SingleTableMixin, FilterView):
    required_permission = "grids.view_gridstaff"
    table_class = StaffTable
    filterset_class = StaffFilter
    template_name = "grids/staff_list.html"

    def get_queryset(self):
        return selectors.staff_for_table(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


def detail(request, pk):
    grid = _grid_or_404(request, pk)
    shut = history.closed()
    return render(
        request,
        "grids/grid_detail.html",
        {
            "grid": grid,
            "children": selectors.grid_children(grid),
            "staff": selectors.grid_staff(grid),
            "retire_form": RetireForm(closed=shut),
            "end_form": EndPostForm(closed=shut),
            "closed": shut,
            "can_change": services.may_manage(request.user, grid.level),
            "can_add_child": grid.level < GridLevel.LEVEL4
            and services.may_manage(request.user, grid.level + 1),
            "can_add_staff": access.can(request.user, "grids.add_gridstaff"),
            "can_change_staff": access.can(request.user, "grids.change_gridstaff"),
        },
    )


def _grid_form(request, grid: Grid | None = None, initial=None):
    """Create (grid=None) or edit a grid; the service re-checks level, scope and parent."""
    form = GridForm(request.POST or None, user=request.user, instance=grid, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "code": data["code"],
            "name": data["name"],
            "parent": data["parent"],
            "kind": data.get("kind", ""),
            "established_on": data["established_on"],
        }
        try:
            if grid is None:
                saved = services.create_grid(user=request.user, level=data["level"], **fields)
            else:
                saved = services.update_grid(user=request.user, grid=grid, **fields)
        except GridError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存网格“%(name)s”。") % {"name": saved.name})
            return redirect("grids:detail", pk=saved.pk)
    title = _("编辑网格") if grid else _("新增网格")
    context = {"form": form, "grid": grid, "title": title, "crumbs": _form_crumbs(grid, title)}
    return render(request, "grids/grid_form.html", context)


def create(request):
    access.require(request.user, "grids.add_grid")
    initial = {}
    parent_pk = int_param(request.GET.get("parent"))
    if parent_pk is not None:
        parent = Grid.objects.for_user(request.user).filter(pk=parent_pk).first()
        if parent and parent.level < GridLevel.LEVEL4:
            initial = {"parent_code": parent.code, "level": parent.level + 1}
    return _grid_form(request, initial=initial)


def edit(request, pk):
    grid = _grid_or_404(request, pk)
    if not services.may_manage(request.user, grid.level):
        raise PermissionDenied(_("街镇和村（社区）由中心工作人员维护。"))
    return _grid_form(request, grid)


@require_POST
def retire(request, pk):
    grid = _grid_or_404(request, pk)
    access.require(request.user, "grids.change_grid")
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的撤销日期。"))
    else:
        try:
            count = services.retire_grid(
                user=request.user, grid=grid, retired_on=form.cleaned_data["retired_on"]
            )
        except GridError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("已撤销 %(count)d 个网格（含下级网格），历史记录保留。") % {"count": count}
            )
    return redirect("grids:detail", pk=grid.pk)


@require_POST
def reinstate(request, pk):
    grid = _grid_or_404(request, pk)
    access.require(request.user, "grids.change_grid")
    try:
        services.reinstate_grid(user=request.user, grid=grid)
    except GridError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已恢复网格“%(name)s”。") % {"name": grid.name})
    return redirect("grids:detail", pk=grid.pk)


def staff_form(request, pk, staff_pk=None):
    grid = _grid_or_404(request, pk)
    person = None
    if staff_pk is not None:
        person = get_object_or_404(GridStaff, pk=staff_pk, grid=grid)
    access.require(request.user, "grids.change_gridstaff" if person else "grids.add_gridstaff")
    form = StaffForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = services.StaffData(
            **{k: form.cleaned_data[k] for k in ("name", "phone", "role", "started_on")}
        )
        try:
            services.save_staff(user=request.user, grid=grid, data=data, staff=person)
        except GridError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存网格人员“%(name)s”。") % {"name": data.name})
            return redirect("grids:detail", pk=grid.pk)
    title = _("编辑网格人员") if person else _("新增网格人员")
    context = {"form": form, "grid": grid, "title": title, "crumbs": _form_crumbs(grid, title)}
    return render(request, "grids/staff_form.html", context)


@require_POST
def end_post(request, pk, staff_pk):
    grid = _grid_or_404(request, pk)
    person = get_object_or_404(GridStaff, pk=staff_pk, grid=grid)
    access.require(request.user, "grids.change_gridstaff")
    form = EndPostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的离任日期。"))
    else:
        try:
            services.end_post(user=request.user, staff=person, ended_on=form.cleaned_data["ended_on"])
        except GridError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s自 %(date)s 离任，任职记录保留。")
                % {"name": person.name, "date": date_text(form.cleaned_data["ended_on"])},
            )
    return redirect("grids:detail", pk=grid.pk)


def _form_crumbs(grid, title) -> list[tuple[str, str]]:
    """网格 › the grid (when the form is about one) › the form."""
    crumbs = [(_("网格"), reverse("grids:list"))]
    if grid is not None:
        crumbs.append((grid.name, reverse("grids:detail", kwargs={"pk": grid.pk})))
    return [*crumbs, (title, "")]


def roster_export_lists(user, query) -> dict:
    """The grid list's or the staff list's filtered queryset when an export follows a list's filters
    (?list=grids or ?list=staff, then the list's own parameters); none for the whole roster."""
    shown = query.get("list")
    if shown == "grids":
        return {"grids": GridFilter(query, queryset=GridListView.base_queryset(user), user=user).qs}
    if shown == "staff":
        return {"posts": StaffFilter(query, queryset=selectors.staff_for_table(user), user=user).qs}
    return {}


def roster_export_name() -> str:
    return f"网格花名册-{timezone.localdate():%Y%m%d}.xlsx"


def export_roster(request):
    """The roster workbook at once; from a list, only what its filters show."""
    access.require(request.user, "grids.view_grid")
    workbook = exports.roster_workbook(request.user, **roster_export_lists(request.user, request.GET))
    return xlsx_response(workbook, roster_export_name())


@require_POST
def export_roster_job(request):
    """Start the roster export in the background (the same workbook as export_roster) and show its progress."""
    access.require(request.user, "grids.view_grid")
    query = request.GET.urlencode()
    title = _("导出网格花名册（筛选结果）") if request.GET.get("list") else _("导出网格花名册")
    job, _started = jobs.start_job(
        user=request.user,
        kind="grids.roster_export",
        key=f"{request.user.pk}?{query}",
        title=title,
        params={"query": query},
    )
    return redirect("job", pk=job.pk)


def import_template(request):
    access.require(request.user, "grids.import_roster")
    return xlsx_response(exports.import_template(), "网格花名册导入模板.xlsx")


def _roster_summary(plan) -> str:
    return _("导入完成：新增网格 %(gc)s 个、更新 %(gu)s 个；新增人员 %(sc)s 名、更新 %(su)s 名。") % counted(
        {
            "gc": len(plan.grid_creates),
            "gu": len(plan.grid_updates),
            "sc": len(plan.staff_creates),
            "su": len(plan.staff_updates),
        }
    )


# Two sheets (grids and staff) in one plan: the flow is the shared one, the pages are the roster's own.
import_flow = ImportFlow(
    kind="grids.roster",
    title=_("导入网格花名册"),
    perm="grids.import_roster",
    preview_url_name="grids:import_preview",
    build_plan=lambda request, data: build_roster_plan(data),
    apply=lambda request, data, progress: services.import_roster(
        user=request.user, data=data, progress=progress
    ),
    job_kind="grids.roster_import",
    always_in_background=True,  # its writes re-check the whole district's roster: seconds, even for a few rows
    rejected=ImportRejected,
    refused=(GridError,),
    done_url=lambda request: reverse("grids:overview"),
    back=lambda request: (_("网格"), reverse("grids:list")),
    summary=_roster_summary,
    upload_template="grids/import_upload.html",
    preview_template="grids/import_preview.html",
)
