"""The assessments' background jobs (core.jobs): a large 12345, rating or 哨单 workbook's preview and import."""


def register_jobs() -> None:
    from assessments.views import hotline, ratings, whistle

    for view in (hotline, ratings, whistle):
        view.import_flow.register_jobs()
