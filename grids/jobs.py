"""The roster's background jobs (core.jobs): the 花名册 export, and a roster import's preview (of a
large file) and confirm."""

from django.http import QueryDict

from core.jobs import JobResult, register
from grids import exports
from grids.views import import_flow, roster_export_lists, roster_export_name


def export_roster(job, progress) -> JobResult:
    """The same workbook as grids.views.export_roster, for the filters the export was started with."""
    query = QueryDict(job.params.get("query", ""))
    workbook = exports.roster_workbook(job.user, progress=progress, **roster_export_lists(job.user, query))
    return JobResult(content=workbook, filename=roster_export_name())


def register_jobs() -> None:
    register("grids.roster_export", export_roster)
    import_flow.register_jobs()
