"""One row of everything (facility, inspection, elder, visit, referral, upload, allocation ...),
so the hostile-input crawl and the CSP browser test reach every page with a real id."""

import datetime
from decimal import Decimal

from core.models import DatasetGrant, Notification
from core.roles import Role
from facilities.models import Inspection
from funding.models import Budget, Program
from funding.services import allocation_create
from tests.factories import ElderFactory, FacilityFactory, InspectorFactory, VisitorFactory
from visits.models import UploadRowError, Visit, VisitUpload
from visits.services import referral_open


def make_rows(tree, users) -> dict:
    county = users[Role.COUNTY_OFFICER]
    facility = FacilityFactory(
        name="探针养老院\x1b", kind="township_welfare_center", region=tree["hc_town"]
    )
    inspector = InspectorFactory(region=tree["hunchun"])
    inspection = Inspection.objects.create(
        facility=facility,
        inspector=inspector,
        planned_date=datetime.date(2026, 1, 10),
        is_published=True,
        result="rectify",
        findings="消防通道堵塞\x0b",
        rectification_deadline=datetime.date(2026, 2, 10),
        inspected_on=datetime.date(2026, 1, 10),
    )
    visitor = VisitorFactory(region=tree["hc_village"])
    elder = ElderFactory(village=tree["hc_village"], assigned_visitor=visitor)
    visit = Visit.objects.create(
        elder=elder,
        visited_on=datetime.date(2026, 1, 5),
        visitor=visitor,
        method="in_person",
        health="normal",
        finances="normal",
        safety="normal",
        needs="attention",
    )
    referral = referral_open(user=county, elder=elder, kind="meals", description="探针\x1b")
    upload = VisitUpload.objects.create(
        uploader=county,
        region=tree["hunchun"],
        file="uploads/visits/probe.csv",
        original_name="probe.csv",
        file_format="csv",
        file_size=10,
        status="queued",
    )
    UploadRowError.objects.create(upload=upload, row=2, column="姓名", value="金\x1b", message="m")
    program = Program.objects.create(
        code="PROBE", name_zh="探针项目", name_en="Probe", kind="other"
    )
    Budget.objects.create(program=program, year=2026, source="lottery", amount=Decimal("1000000"))
    allocation = allocation_create(
        user=county,
        program=program,
        year=2026,
        source="lottery",
        region=tree["hunchun"],
        amount="1000",
    )
    for user in users.values():
        Notification.objects.create(user=user, title="通知", body="探针\x1b", link="/")
    for dataset in ("facilities", "visits", "funding"):
        DatasetGrant.objects.get_or_create(user=users[Role.PARTNER], dataset=dataset)
    return {
        "facility": facility,
        "inspection": inspection,
        "elder": elder,
        "visit": visit,
        "visitor": visitor,
        "referral": referral,
        "upload": upload,
        "allocation": allocation,
        "program": program,
        "region": tree["hc_village"],
    }
