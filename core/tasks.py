"""The one Celery task: run a background job (core.jobs) by its id."""

from celery import shared_task

from core import jobs


@shared_task(name="core.run_job", ignore_result=True)
def run_job(job_id: str) -> None:
    jobs.run_job(job_id)
