"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

app = Celery("eldercare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The audit trail of what a task changes carries the request id of the request that queued it.
@signals.before_task_publish.connect
def _carry_audit_context(headers=None, **kwargs):
    from core.audit import task_headers_add

    if headers is not None:
        task_headers_add(headers)


@signals.task_prerun.connect
def _bind_audit_context(task=None, **kwargs):
    from core.audit import task_context_bind

    task_context_bind(task)


@signals.task_postrun.connect
def _unbind_audit_context(task_id=None, **kwargs):
    from core.audit import task_context_unbind

    task_context_unbind(task_id)
