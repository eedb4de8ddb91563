import random
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = (
        "Fill the database with demo data. Each installed app may contribute a `demo` module "
        "with generate(*, scale, rng, stdout); they run in INSTALLED_APPS order (core first). "
        "--scale 1 is the province's real size."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.05)
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run under production settings (DJANGO_DEBUG=0) too; the demo accounts then "
            "get random passwords, printed once.",
        )

    def handle(self, *args, scale: float, seed: int, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "DJANGO_DEBUG=0: this looks like a production database. generate_demo fills it "
                "with invented people, facilities and money; pass --force if you mean it (the "
                "demo accounts then get random passwords, printed once)."
            )
        if not 0 < scale <= 2:
            raise CommandError("--scale must be above 0 and at most 2 (1 = the real province)")
        for config in apps.get_app_configs():
            if not module_has_submodule(config.module, "demo"):
                continue
            module = import_module(f"{config.name}.demo")
            self.stdout.write(f"[{config.label}] ...")
            # One random stream per app, so adding an app never changes another app's data.
            module.generate(
                scale=scale, rng=random.Random(f"{seed}:{config.label}"), stdout=self.stdout
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
