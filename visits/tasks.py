from celery import shared_task

from visits import services


@shared_task(name="visits.validate_upload", acks_late=True)
def validate_upload_task(upload_id: int) -> str:
    return services.upload_validate(upload_id=upload_id).status


@shared_task(name="visits.import_upload", acks_late=True)
def import_upload_task(upload_id: int, actor_id: int | None = None) -> str:
    """All-or-nothing: a worker killed mid-import leaves the transaction rolled back and the
    upload 'importing' (or 'failed'); confirming it again imports it from scratch.
    `actor_id`: who confirmed it (the audit row's actor)."""
    return services.upload_import(upload_id=upload_id, actor_id=actor_id).status
