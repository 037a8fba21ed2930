"""The disbursements' background jobs (core.jobs): a large workbook of special-batch lines, previewed and
imported."""


def register_jobs() -> None:
    from disbursements.views import import_flow

    import_flow.register_jobs()
