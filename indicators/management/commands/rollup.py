from django.core.management.base import BaseCommand, CommandError

from indicators import services
from indicators.models import RollupRun


class Command(BaseCommand):
    help = (
        "Recompute the monthly indicators: --month 2023-10 for one month, --all-months for every "
        "month from the first visit to this month. A month is replaced atomically."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--month", help="YYYY-MM")
        group.add_argument("--all-months", action="store_true")

    def handle(self, *args, month=None, all_months=False, **options):
        if all_months:
            months = services.data_months()
        else:
            first = services.parse_month(month)
            if first is None:
                raise CommandError("--month must look like 2023-10")
            months = [first]
        for first in months:
            run = RollupRun.objects.create(month=first)
            rows = services.rollup_month(month=first, run=run)
            self.stdout.write(f"{first:%Y-%m}: {rows} values")
        self.stdout.write(self.style.SUCCESS(f"{len(months)} month(s) rolled up."))
