"""Benchmark: importing a 100,000-row visit log, three ways, in one run on PostgreSQL.

    make bench            (or: DATABASE_URL=postgres://... .venv/bin/python bench/upload.py)

1. this portal's importer, end to end: parse, validate every row, deduplicate, insert
   (CSV and XLSX);
2. django-import-export's default import of the same rows into the same table (a sample:
   it is slow enough that the whole file would take minutes; rows/s is what is compared);
3. a raw PostgreSQL COPY of the already-clean rows into the same table (the floor).

It uses its own database (eldercare_bench, created and migrated if missing) and prints rows/s
and the ratios. Goals: CSV >= 25,000 rows/s, >= 50x django-import-export, at most 4x slower
than COPY; XLSX >= 10,000 rows/s.
"""

import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
PEOPLE = ROWS // 5
IMPORT_EXPORT_SAMPLE = int(os.environ.get("BENCH_IMPORT_EXPORT_ROWS", "2000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # best and median of these runs
BENCH_DB = "eldercare_bench"


def setup_django():
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/eldercare")
    base, _name = url.rsplit("/", 1)
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = f"{base}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    """A county with townships, villages, a visitor per village and PEOPLE archived elders."""
    from core.models import Region, User
    from core.roles import Role
    from core.services import regions_import_csv
    from tests.upload_files import ZH
    from visits.idcard import make_id_number
    from visits.models import Elder, Visitor

    county = Region.objects.get(code="222404000000")
    officer = User.objects.filter(username="bench-officer").first()
    if officer is None:
        officer = User.objects.create(
            username="bench-officer", role=Role.COUNTY_OFFICER, region=county
        )
    if Elder.objects.count() < PEOPLE:
        Elder.objects.all().delete()
        Visitor.objects.all().delete()
        lines = ["code,name,parent_code,is_urban"]
        for t in range(1, 21):
            lines.append(f"222404{100 + t:03d}000,镇{t},222404000000,0")
            for v in range(1, 21):
                lines.append(f"222404{100 + t:03d}{200 + v:03d},村{t}-{v},222404{100 + t:03d}000,0")
        regions_import_csv(raw="\n".join(lines).encode())
        villages = list(Region.objects.filter(code__startswith="222404", level="village"))
        Visitor.objects.bulk_create(
            [Visitor(name=f"巡访员{v.code[-6:]}", kind="village_cadre", region=v) for v in villages]
        )
        rng = random.Random(1)
        used, elders = set(), []
        while len(elders) < PEOPLE:
            birth = datetime.date(rng.randint(1930, 1960), rng.randint(1, 12), rng.randint(1, 28))
            number = make_id_number("222404", birth, rng.randint(1, 999))
            if number in used:
                continue
            used.add(number)
            elders.append(
                Elder(
                    id_number=number,
                    name=f"老人{len(elders)}",
                    sex="M",
                    birth_date=birth,
                    village=rng.choice(villages),
                    is_living_alone=True,
                    archived_on=datetime.date(2020, 1, 1),
                )
            )
        Elder.objects.bulk_create(elders, batch_size=5000)
    visitors = {v.region_id: v.name for v in Visitor.objects.all()}
    rows = []
    elders = list(Elder.objects.values_list("id_number", "name", "village_id"))
    start = datetime.date(2023, 1, 2)
    rng = random.Random(2)
    for n in range(ROWS):
        number, name, village_id = elders[n % len(elders)]
        day = start + datetime.timedelta(days=n // len(elders) * 30 + rng.randint(0, 20))
        urgent = rng.random() < 0.002
        rows.append(
            [
                number,
                name,
                day.isoformat(),
                visitors[village_id],
                "",
                rng.choice(["入户", "电话", "视频"]),
                "紧急" if urgent else "正常",
                rng.choice(["正常", "关注"]),
                "正常",
                "正常",
                rng.choice(["", "助餐", "助洁、助医"]),
                "摔倒" if urgent else "",
            ]
        )
    return officer, county, ZH, rows


def clear_visits():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE visits_referral, core_notification, visits_visit RESTART IDENTITY")


def run_importer(raw: bytes, file_format: str, officer, county) -> tuple[float, int]:
    from django.db import transaction

    from visits import uploads
    from visits.models import VisitUpload
    from visits.services import VisitSink

    upload = VisitUpload.objects.create(
        uploader=officer,
        region=county,
        original_name=f"bench.{file_format}",
        file_format=file_format,
        file_size=len(raw),
        sha256="-",
        file="bench",
    )
    started = time.perf_counter()
    # Exactly what the import task does: one pass, clean rows streamed into the table.
    with transaction.atomic():
        header, rows = uploads.read_rows(raw, file_format)
        sink = VisitSink(upload=upload, user=officer)
        outcome = uploads.validate_rows(
            header=header,
            rows=rows,
            lookups=uploads.ScopeLookups(user=officer, region=county),
            max_rows=10**7,
            sink=sink,
        )
        inserted = sink.finish()
    elapsed = time.perf_counter() - started
    assert not outcome.problems, outcome.problems[:3]
    return elapsed, inserted


def run_import_export(rows, header) -> tuple[float, int]:
    """django-import-export's default import: a ModelResource, foreign keys by natural key."""
    import tablib
    from import_export import fields, resources, widgets

    from visits.models import Elder, Visit, Visitor

    methods = {"入户": "in_person", "电话": "phone", "视频": "video"}
    levels = {"正常": "normal", "关注": "attention", "紧急": "urgent"}

    class VisitResource(resources.ModelResource):
        elder = fields.Field(
            attribute="elder",
            column_name="id_number",
            widget=widgets.ForeignKeyWidget(Elder, "id_number"),
        )
        visitor = fields.Field(
            attribute="visitor",
            column_name="visitor",
            widget=widgets.ForeignKeyWidget(Visitor, "name"),
        )

        class Meta:
            model = Visit
            fields = (
                "elder",
                "visitor",
                "visited_on",
                "method",
                "health",
                "finances",
                "safety",
                "needs",
                "notes",
            )
            import_id_fields = ()

    dataset = tablib.Dataset(
        headers=[
            "id_number",
            "visitor",
            "visited_on",
            "method",
            "health",
            "finances",
            "safety",
            "needs",
            "notes",
        ]
    )
    for row in rows:
        dataset.append(
            [
                row[0],
                row[3],
                row[2],
                methods[row[5]],
                levels[row[6]],
                levels[row[7]],
                levels[row[8]],
                levels[row[9]],
                row[11],
            ]
        )
    started = time.perf_counter()
    result = VisitResource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - started
    return elapsed, result.totals["new"]


def run_copy(clean) -> tuple[float, int]:
    from django.db import connection, transaction

    dumps = json.dumps
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(
            "COPY visits_visit (elder_id, visitor_id, visited_on, method, health, health_note, "
            "finances, finances_note, safety, safety_note, needs, needs_note, helps_needed, "
            "notes, source, created_at) FROM STDIN"
        ) as copy,
    ):
        now = datetime.datetime.now(datetime.UTC)
        for c in clean:
            copy.write_row(
                (
                    c.elder_id,
                    c.visitor_id,
                    c.visited_on,
                    c.method,
                    c.health,
                    "",
                    c.finances,
                    "",
                    c.safety,
                    "",
                    c.needs,
                    "",
                    dumps(c.helps),
                    c.notes,
                    "upload",
                    now,
                )
            )
    return time.perf_counter() - started, len(clean)


def main():
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL (set DATABASE_URL).")
    from tests.upload_files import csv_bytes, xlsx_bytes
    from visits import uploads

    print(f"seeding {PEOPLE:,} archived people and a {ROWS:,}-row visit log ...", flush=True)
    officer, county, header, rows = seed()
    csv_raw = csv_bytes(rows, header=header, encoding="gb18030")
    xlsx_raw = xlsx_bytes(rows, header=header)
    print(f"files: CSV {len(csv_raw) / 1e6:.1f} MB (GB18030), XLSX {len(xlsx_raw) / 1e6:.1f} MB")

    results = {}
    for name, raw, fmt in (("importer CSV", csv_raw, "csv"), ("importer XLSX", xlsx_raw, "xlsx")):
        times = []
        for _ in range(REPEAT):
            clear_visits()
            elapsed, inserted = run_importer(raw, fmt, officer, county)
            assert inserted == ROWS, (inserted, ROWS)
            times.append(elapsed)
        best, median = min(times), statistics.median(times)
        results[name] = ROWS / median
        print(
            f"{name:<28} {ROWS:>8,} rows {median:7.2f} s {ROWS / median:>10,.0f} rows/s "
            f"(median of {REPEAT}; best {ROWS / best:,.0f})",
            flush=True,
        )
    # Re-uploading the same file: everything is a duplicate, nothing is inserted.
    elapsed, inserted = run_importer(csv_raw, "csv", officer, county)
    print(
        f"{'importer CSV, re-upload':<28} {ROWS:>8,} rows {elapsed:7.2f} s "
        f"{ROWS / elapsed:>10,.0f} rows/s  ({inserted} inserted)",
        flush=True,
    )

    clear_visits()
    header_cells, row_iter = uploads.read_rows(csv_raw, "csv")
    clean = uploads.validate_rows(
        header=header_cells,
        rows=row_iter,
        lookups=uploads.ScopeLookups(user=officer, region=county),
        max_rows=10**7,
    ).clean
    times = []
    for _ in range(REPEAT):
        clear_visits()
        elapsed, count = run_copy(clean)
        times.append(elapsed)
    median = statistics.median(times)
    results["COPY"] = count / median
    print(
        f"{'raw COPY of clean rows':<28} {count:>8,} rows {median:7.2f} s "
        f"{count / median:>10,.0f} rows/s (median of {REPEAT})",
        flush=True,
    )

    clear_visits()
    sample = rows[:IMPORT_EXPORT_SAMPLE]
    elapsed, created = run_import_export(sample, header)
    results["import-export"] = created / elapsed
    print(
        f"{'django-import-export':<28} {created:>8,} rows {elapsed:7.2f} s "
        f"{created / elapsed:>10,.0f} rows/s  (sample of {IMPORT_EXPORT_SAMPLE:,})",
        flush=True,
    )
    clear_visits()

    csv_rate, xlsx_rate = results["importer CSV"], results["importer XLSX"]
    print()
    print(
        f"CSV vs django-import-export : {csv_rate / results['import-export']:8.1f}x faster "
        f"(goal >= 50x)"
    )
    print(f"COPY vs CSV importer        : {results['COPY'] / csv_rate:8.2f}x (goal <= 4x)")
    print(f"CSV importer                : {csv_rate:8,.0f} rows/s (goal >= 25,000)")
    print(f"XLSX importer               : {xlsx_rate:8,.0f} rows/s (goal >= 10,000)")


if __name__ == "__main__":
    main()
