"""Every public function of every services.py that writes leaves an AuditEntry, in the same
transaction as the change: present before the transaction ends, gone when it is rolled back,
and never left behind (nor the change made) when the service fails."""

import datetime
import inspect
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from core import audit
from core import services as core_services
from core.models import AuditEntry
from core.roles import Role
from facilities import services as facility_services
from facilities.models import Facility
from funding import services as funding_services
from funding.models import Budget, Program
from tests.factories import (
    ElderFactory,
    FacilityFactory,
    InspectorFactory,
    VisitorFactory,
    id_number_for,
)
from tests.upload_files import csv_bytes, row, upload_file
from visits import services as visit_services
from visits.models import Visit, VisitUpload

pytestmark = pytest.mark.django_db

MODULES = [core_services, facility_services, visit_services, funding_services]
DAY = datetime.date(2023, 6, 5)

# Public service functions that change nothing (checks, helpers, the audit writer itself), or
# that log to a log of their own; every other public function must be in WRITES below.
NO_STATE_CHANGE = {
    "core.services.decode_text": "decodes bytes",
    "core.services.audit_record": "the audit writer itself",
    "core.services.audit_snapshot": "reads an object's fields",
    "core.services.audit_changes": "compares two snapshots",
    "facilities.services.ensure_can_edit_region": "permission check",
    "facilities.services.facility_validate": "validation only",
    "facilities.services.facility_effective_date_validate": "validation only",
    "facilities.services.capacity_changes": "compares a facility with its last capacity record",
    "visits.services.elder_validate": "validation only",
    "visits.services.personal_data_log": (
        "the personal-data access log itself (tests/test_personal_data_findings.py)"
    ),
    "visits.services.archive_duplicate_problem": (
        "a check; a refusal is written to the personal-data access log"
    ),
    "visits.services.elder_search_by_id_number": (
        "a read of personal data: logged in PersonalDataAccess"
    ),
    "funding.services.allocation_validate": "validation only",
    "visits.services.visit_problems": "validation only",
    "visits.services.elder_reveal_id_number": (
        "a read of personal data: logged in PersonalDataAccess (tests/test_audit_context.py)"
    ),
    "funding.services.yuan": "number formatting",
    "funding.services.sum_yuan": "number formatting",
    "funding.services.budget_check": "validation only",
}


class World:
    """What the calls need: one account per role, a network, people, programs and budgets."""

    def __init__(self, users, tree):
        self.users, self.tree = users, tree
        self.admin = users[Role.PROVINCIAL_ADMIN]
        self.officer = users[Role.COUNTY_OFFICER]
        created = [FacilityFactory(region=tree["hc_town"]).pk for _ in range(3)]
        self.facilities = list(Facility.objects.filter(pk__in=created).order_by("pk"))
        InspectorFactory(region=tree["hunchun"])
        InspectorFactory(region=tree["hunchun"])
        self.visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
        self.elder = ElderFactory(name="金老人")
        self.program = Program.objects.create(
            code="OTHER", name_zh="其他", name_en="Other", kind="other"
        )
        self.budget = Budget.objects.create(
            program=self.program, year=2023, source="lottery", amount=Decimal("1000000")
        )

    # --- helpers that take an object to the state a call needs (their own entries are
    # written before the call measured) ---

    def inspection(self, result=None):
        drawn = facility_services.inspection_draw(
            user=self.officer, region=self.tree["hunchun"], seed=7, planned_date=DAY, count=1
        ).inspections[0]
        if result:
            facility_services.inspection_record_result(
                inspection=drawn,
                user=self.officer,
                inspected_on=DAY,
                result=result,
                findings="消防通道堵塞",
                rectification_deadline=DAY + datetime.timedelta(days=30),
            )
        return drawn

    def allocation(self, status="planned"):
        allocation = funding_services.allocation_create(
            user=self.officer,
            program=self.program,
            year=2023,
            source="lottery",
            region=self.tree["hunchun"],
            amount="200000",
        )
        while allocation.status != status:
            allocation = funding_services.allocation_advance(user=self.admin, allocation=allocation)
        return allocation

    def upload(self, status="queued"):
        upload = visit_services.upload_create(
            user=self.officer,
            uploaded_file=upload_file(csv_bytes([row(self.elder, self.visitor)]), "log.csv"),
        )
        if status in ("awaiting_confirmation", "importing"):
            upload = visit_services.upload_validate(upload_id=upload.pk)
        if status == "importing":
            upload = visit_services.upload_confirm(user=self.admin, upload=upload)
        return upload

    def referral(self):
        return visit_services.referral_open(user=self.officer, elder=self.elder, kind="medical")


# Each public writing function -> (object type and action of the entry it writes, the World
# attribute the entry must name as actor, the call). SETUP prepares the object a call needs.
WRITES = {
    "core.services.regions_import_csv": (
        "core.region",
        "import",
        "admin",
        lambda w: core_services.regions_import_csv(
            raw=b"code,name,parent_code,is_urban\n222404103000,Test Town,222404000000,0\n",
            user=w.admin,
        ),
    ),
    "core.services.user_create": (
        "core.user",
        "create",
        "admin",
        lambda w: core_services.user_create(
            username="newofficer",
            password="a-long-password-1",
            role=Role.COUNTY_OFFICER,
            region=w.tree["hunchun"],
            actor=w.admin,
        ),
    ),
    "facilities.services.facility_create": (
        "facilities.facility",
        "create",
        "officer",
        lambda w: facility_services.facility_create(
            user=w.officer,
            name="新养老院",
            kind="institution",
            region=w.tree["hc_town"],
            ownership="private",
            operating_model="private_operated",
            status="operating",
            total_beds=50,
            nursing_beds=20,
            dementia_beds=0,
            residents=10,
        ),
    ),
    "facilities.services.facility_update": (
        "facilities.facility",
        "update",
        "officer",
        lambda w: facility_services.facility_update(
            facility=w.facilities[0], user=w.officer, phone="0433-7512345"
        ),
    ),
    "facilities.services.facilities_bulk_create": (
        "facilities.facility",
        "bulk_create",
        "admin",
        lambda w: facility_services.facilities_bulk_create(
            facilities=[
                Facility(
                    name="批量养老院",
                    kind="institution",
                    region=w.tree["hc_town"],
                    ownership="public",
                    operating_model="public_operated",
                    status="operating",
                    status_since=DAY,
                    total_beds=10,
                    nursing_beds=5,
                    dementia_beds=0,
                    residents=3,
                )
            ],
            history={},
            user=w.admin,
        ),
    ),
    "facilities.services.inspection_draw": (
        "facilities.inspectiondraw",
        "draw",
        "officer",
        lambda w: w.inspection(),
    ),
    "facilities.services.inspection_record_result": (
        "facilities.inspection",
        "record_result",
        "officer",
        lambda w, inspection=None: facility_services.inspection_record_result(
            inspection=inspection,
            user=w.officer,
            inspected_on=DAY,
            result="passed",
        ),
    ),
    "facilities.services.inspection_mark_rectified": (
        "facilities.inspection",
        "rectified",
        "officer",
        lambda w, inspection=None: facility_services.inspection_mark_rectified(
            inspection=inspection, user=w.officer, rectified_on=DAY + datetime.timedelta(days=3)
        ),
    ),
    "visits.services.elder_create": (
        "visits.elder",
        "create",
        "officer",
        lambda w: visit_services.elder_create(
            user=w.officer,
            id_number=id_number_for(datetime.date(1941, 2, 3), sequence=33),
            name="朴老人",
            village=w.tree["hc_village"],
            is_living_alone=True,
        ),
    ),
    "visits.services.elder_update": (
        "visits.elder",
        "update",
        "officer",
        lambda w: visit_services.elder_update(
            elder=w.elder, user=w.officer, phone="13900001111", household_address="东阿拉村5组"
        ),
    ),
    "visits.services.visit_record": (
        "visits.visit",
        "create",
        "officer",
        lambda w: visit_services.visit_record(
            user=w.officer, elder=w.elder, visitor=w.visitor, visited_on=DAY, method="in_person"
        ),
    ),
    "visits.services.visit_record_once": (
        "visits.visit",
        "create",
        "officer",
        lambda w: visit_services.visit_record_once(
            user=w.officer,
            client_id=uuid.UUID("8a5c1f4e-3b2d-4c6a-9e7f-1d2c3b4a5e6f"),
            elder=w.elder,
            visitor=w.visitor,
            visited_on=DAY,
            method="in_person",
        ),
    ),
    "visits.services.visits_bulk_record": (
        "visits.visit",
        "bulk_create",
        "officer",
        lambda w: visit_services.visits_bulk_record(
            visits=[
                Visit(
                    elder=w.elder,
                    visitor=w.visitor,
                    visited_on=DAY - datetime.timedelta(days=n),
                    method="phone",
                    health="normal",
                    finances="normal",
                    safety="normal",
                    needs="urgent" if n == 0 else "normal",
                )
                for n in range(3)
            ],
            user=w.officer,
        ),
    ),
    "visits.services.referral_open": (
        "visits.referral",
        "create",
        "officer",
        lambda w: w.referral(),
    ),
    "visits.services.referral_update": (
        "visits.referral",
        "update",
        "officer",
        lambda w, referral=None: visit_services.referral_update(
            user=w.officer, referral=referral, status="in_progress"
        ),
    ),
    "visits.services.upload_create": (
        "visits.visitupload",
        "upload",
        "officer",
        lambda w: w.upload(),
    ),
    "visits.services.upload_validate": (
        "visits.visitupload",
        "validate",
        "officer",
        lambda w, upload=None: visit_services.upload_validate(upload_id=upload.pk),
    ),
    "visits.services.upload_confirm": (
        "visits.visitupload",
        "confirm",
        "admin",
        lambda w, upload=None: visit_services.upload_confirm(user=w.admin, upload=upload),
    ),
    "visits.services.upload_cancel": (
        "visits.visitupload",
        "cancel",
        "officer",
        lambda w, upload=None: visit_services.upload_cancel(user=w.officer, upload=upload),
    ),
    "visits.services.upload_import": (
        "visits.visitupload",
        "import",
        "admin",
        # Confirmed by the administrator: the import's actor is who confirmed it.
        lambda w, upload=None: visit_services.upload_import(
            upload_id=upload.pk, actor_id=w.admin.pk
        ),
    ),
    "funding.services.allocation_create": (
        "funding.allocation",
        "create",
        "officer",
        lambda w: w.allocation(),
    ),
    "funding.services.allocation_update": (
        "funding.allocation",
        "update",
        "officer",
        lambda w, allocation=None: funding_services.allocation_update(
            user=w.officer, allocation=allocation, amount="150000"
        ),
    ),
    "funding.services.allocation_advance": (
        "funding.allocation",
        "approved",
        "admin",
        lambda w, allocation=None: funding_services.allocation_advance(
            user=w.admin, allocation=allocation
        ),
    ),
    "funding.services.allocation_adjust": (
        "funding.allocation",
        "adjust",
        "officer",
        lambda w, allocation=None: funding_services.allocation_adjust(
            user=w.officer, allocation=allocation, amount="-50000", purpose="面积核减"
        ),
    ),
    "funding.services.budget_create": (
        "funding.budget",
        "create",
        "admin",
        lambda w: funding_services.budget_create(
            user=w.admin, program=w.program, year=2024, source="lottery", amount="500000"
        ),
    ),
    "funding.services.budget_update": (
        "funding.budget",
        "update",
        "admin",
        lambda w: funding_services.budget_update(user=w.admin, budget=w.budget, amount="900000"),
    ),
}

# The object a call works on, brought to the right state beforehand (outside the measurement).
SETUP = {
    "facilities.services.inspection_record_result": lambda w: {"inspection": w.inspection()},
    "facilities.services.inspection_mark_rectified": lambda w: {
        "inspection": w.inspection(result="rectify")
    },
    "visits.services.referral_update": lambda w: {"referral": w.referral()},
    "visits.services.upload_validate": lambda w: {"upload": w.upload()},
    "visits.services.upload_confirm": lambda w: {"upload": w.upload("awaiting_confirmation")},
    "visits.services.upload_cancel": lambda w: {"upload": w.upload("awaiting_confirmation")},
    "visits.services.upload_import": lambda w: {"upload": w.upload("importing")},
    "funding.services.allocation_update": lambda w: {"allocation": w.allocation()},
    "funding.services.allocation_advance": lambda w: {"allocation": w.allocation()},
    "funding.services.allocation_adjust": lambda w: {"allocation": w.allocation("disbursed")},
}

# Progress counters a running validation writes as it goes (the progress bar reads them, in
# autocommit, so the page sees them live): not a change of the record, not audited.
PROGRESS_FIELDS = {"visits.services.upload_validate": {"status", "processed_rows", "total_rows"}}


def public_service_functions() -> list[str]:
    names = []
    for module in MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                names.append(f"{module.__name__}.{name}")
    return sorted(names)


def test_every_public_service_function_is_in_the_table():
    # given the public functions of every services.py
    functions = set(public_service_functions())
    # then each is either exercised by the audit walk or declared as changing nothing
    unlisted = functions - set(WRITES) - set(NO_STATE_CHANGE)
    assert not unlisted, f"add these to WRITES (or NO_STATE_CHANGE) in {__file__}: {unlisted}"
    assert not (set(WRITES) | set(NO_STATE_CHANGE)) - functions, "stale table entries"
    assert not set(WRITES) & set(NO_STATE_CHANGE)


@pytest.fixture
def world(users, tree):
    return World(users, tree)


class Rollback(Exception):
    pass


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_service_writes_its_audit_entry_in_the_same_transaction(name, world):
    object_type, action, actor, call = WRITES[name]
    kwargs = SETUP.get(name, lambda w: {})(world)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    token = audit.bind(audit.AuditContext(request_id=f"req-{name}", client_address="203.0.113.9"))
    try:
        # when the service runs inside a transaction that is then rolled back
        with pytest.raises(Rollback), transaction.atomic():
            call(world, **kwargs)
            # then its entry is there before the transaction ends, with who and from where
            entries = list(AuditEntry.objects.filter(id__gt=last))
            mine = [e for e in entries if (e.object_type, e.action) == (object_type, action)]
            assert mine, f"{name}: no {object_type} {action} entry in {entries}"
            for entry in mine:
                assert entry.actor == getattr(world, actor)
                assert entry.request_id == f"req-{name}"
                assert entry.client_address == "203.0.113.9"
                assert entry.after is not None
            raise Rollback
    finally:
        audit.unbind(token)
    # and it is rolled back together with the change
    assert not AuditEntry.objects.filter(id__gt=last).exists()


def _fingerprint(ignore: set[str]) -> dict:
    """Every row of the project's own tables (a small test database)."""
    rows = {}
    for app in ("core", "facilities", "visits", "funding"):
        for model in apps.get_app_config(app).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.name not in ignore]
            rows[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return rows


class AuditWriteFailed(Exception):
    pass


@pytest.mark.parametrize("name", sorted(WRITES))
def test_when_the_audit_write_fails_nothing_is_changed(name, world):
    call = WRITES[name][-1]
    kwargs = SETUP.get(name, lambda w: {})(world)
    ignore = PROGRESS_FIELDS.get(name, set())
    before = _fingerprint(ignore)

    def fail(sender, instance, created, **kwargs):
        raise AuditWriteFailed

    # given an audit write that fails (the database refusing it, say)
    post_save.connect(fail, sender=AuditEntry, dispatch_uid="audit-fail")
    try:
        # when the service runs, it raises
        with pytest.raises(AuditWriteFailed):
            call(world, **kwargs)
    finally:
        post_save.disconnect(dispatch_uid="audit-fail", sender=AuditEntry)
    # then neither the change nor any entry is left: no change without its audit row
    assert _fingerprint(ignore) == before


def test_a_failing_service_leaves_no_entry(world):
    # given an allocation that is already approved
    allocation = world.allocation("approved")
    count = AuditEntry.objects.count()
    # when someone tries to edit it (refused) or to plan beyond the budget (refused)
    with pytest.raises(Exception):  # noqa: B017 (ValidationError)
        funding_services.allocation_update(user=world.officer, allocation=allocation, amount="1")
    with pytest.raises(Exception):  # noqa: B017
        funding_services.allocation_create(
            user=world.officer,
            program=world.program,
            year=2023,
            source="lottery",
            region=world.tree["hunchun"],
            amount="999999999",
        )
    # then no entry is written
    assert AuditEntry.objects.count() == count
    assert not VisitUpload.objects.exists()
