from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from core.models import Region
from core.selectors import level_counts


@shared_task(name="core.region_level_counts")
def region_level_counts_task(code: str) -> dict[str, int]:
    """Counts of regions per level under a region code: the smallest real roll-up."""
    region = Region.objects.get(code=code)
    return level_counts(Region.objects.subtree(region))


@shared_task(
    name="core.send_notification_email",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def send_notification_email(*, subject: str, body: str, recipients: list[str]) -> int:
    """E-mail through Django's configured backend; retried while the mail server is away."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
