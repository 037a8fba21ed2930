"""The assessments' background jobs (core.jobs): a large 12345, rating or 哨单 workbook's preview and import,
and the exports of the zero-complaint table, the ratings and the tickets."""


def register_jobs() -> None:
    from assessments.views import hotline, ratings, whistle

    for view in (hotline, ratings, whistle):
        view.import_flow.register_jobs()
    for download in (hotline.zero_complaint_export, ratings.export, whistle.ticket_export):
        download.register()
