"""The Celery application: `celery -A wangcheng worker` runs background jobs (core.jobs) when
CELERY_BROKER_URL is set. The web process loads it only to send a job to the broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")

app = Celery("wangcheng", include=["core.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
