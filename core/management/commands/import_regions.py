from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.services import RegionImportError, regions_import_csv


class Command(BaseCommand):
    help = (
        "Load townships and villages from a CSV file (columns: code, name, parent_code, "
        "is_urban; optional longitude, latitude). Nothing is written if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": file})
        try:
            result = regions_import_csv(raw=file.read_bytes())
        except RegionImportError as error:
            for row_error in error.errors:
                self.stderr.write(f"{file}: {row_error}")
            raise CommandError(
                _("%(count)s bad row(s) in %(file)s; nothing was imported.")
                % {"count": len({e.line for e in error.errors}), "file": file}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s rows: %(created)s regions created, %(updated)s updated.")
                % {"rows": result.rows, "created": result.created, "updated": result.updated}
            )
        )
