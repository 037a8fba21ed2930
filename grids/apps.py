from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("网格")

    def ready(self):
        from core.navigation import Item, register
        from grids.jobs import register_jobs

        register_jobs()

        register(
            _("网格"),
            [
                Item(_("网格概览"), "grids:overview", perm="grids.view_grid"),
                Item(_("网格树"), "grids:tree", perm="grids.view_grid"),
                Item(_("网格列表"), "grids:list", perm="grids.view_grid"),
                Item(_("网格人员"), "grids:staff_list", perm="grids.view_gridstaff"),
                Item(_("花名册导入"), "grids:import", perm="grids.import_roster"),
            ],
            order=10,
        )

    def seed_demo(self, *, year: int) -> dict:
        from core.demo import seed_users
        from grids.demo import seed_roster
        from grids.models import Grid, GridLevel

        summary = seed_roster()
        streets = dict(Grid.objects.filter(level=GridLevel.STREET).values_list("name", "pk"))
        summary["users"] = seed_users(streets)
        return summary
