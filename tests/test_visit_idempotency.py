"""POST /api/v1/visits/ with a phone-made id: sent twice, stored once; the same id with other
content is a 409 in Chinese; urgent findings open their referral once."""

import datetime
import uuid

import pytest
from django.utils import timezone

from core.models import Notification
from core.roles import Role
from tests.factories import ElderFactory, UserFactory, VisitorFactory
from visits.models import Referral, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(client, users, tree):
    visitor_user = users[Role.VISITOR]
    me = VisitorFactory(name="崔巡访", region=tree["hc_village"], user=visitor_user)
    elder = ElderFactory(name="金顺姬")
    UserFactory(username="hc-officer", role=Role.COUNTY_OFFICER, region=tree["hunchun"])
    client.force_login(visitor_user)
    return {"client": client, "visitor": me, "elder": elder}


def payload(phone, **changes):
    data = {
        "elder": phone["elder"].pk,
        "visitor": phone["visitor"].pk,
        "visited_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "method": "in_person",
        "health": "urgent",
        "health_note": "发烧三天未就医",
        "finances": "normal",
        "safety": "normal",
        "needs": "attention",
        "needs_note": "",
        "helps_needed": ["medical"],
        "notes": "离线记录",
    }
    data.update(changes)
    return data


def post(phone, data, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return phone["client"].post("/api/v1/visits/", data, content_type="application/json", **headers)


def test_the_same_key_twice_stores_one_visit_and_one_referral(phone):
    # given a visit made on the phone with its own id
    key = str(uuid.uuid4())
    # when it is sent twice (the answer to the first was lost)
    first = post(phone, payload(phone), key=key)
    second = post(phone, payload(phone), key=key)
    # then it is stored once, the second answer names the stored visit and says duplicate
    assert first.status_code == 201, first.content
    assert first.json()["duplicate"] is False
    assert first.json()["client_id"] == key
    assert second.status_code == 200, second.content
    assert second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"]
    assert Visit.objects.filter(elder=phone["elder"]).count() == 1
    assert Visit.objects.get().client_id == uuid.UUID(key)
    # and the urgent finding opened one referral and notified the county officer once
    assert Referral.objects.filter(elder=phone["elder"], dimension="health").count() == 1
    assert Notification.objects.filter(user__username="hc-officer").count() == 1


def test_the_key_can_come_in_the_body_as_client_id(phone):
    key = str(uuid.uuid4())
    assert post(phone, payload(phone, client_id=key)).status_code == 201
    again = post(phone, payload(phone, client_id=key))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert Visit.objects.count() == 1


def test_the_same_key_with_other_content_is_a_clear_409(phone):
    key = str(uuid.uuid4())
    assert post(phone, payload(phone), key=key).status_code == 201
    changed = post(phone, payload(phone, health="normal", health_note=""), key=key)
    assert changed.status_code == 409, changed.content
    body = changed.json()
    assert body["code"] == "idempotency_conflict"
    assert "已用于另一条不同内容的巡访" in body["detail"]
    assert body["visit"] == Visit.objects.get().pk
    # nothing changed in the stored visit
    assert Visit.objects.get().health == "urgent"
    assert Visit.objects.count() == 1


def test_header_and_body_keys_must_agree(phone):
    response = post(phone, payload(phone, client_id=str(uuid.uuid4())), key=str(uuid.uuid4()))
    assert response.status_code == 400
    assert "client_id" in response.json()
    assert Visit.objects.count() == 0


def test_a_key_that_is_not_a_uuid_is_refused(phone):
    response = post(phone, payload(phone), key="visit-1")
    assert response.status_code == 400
    assert "client_id" in response.json()


def test_another_account_cannot_replay_a_key_to_read_a_visit(phone, client, users, tree):
    # given a visit stored with a key by the visitor
    key = str(uuid.uuid4())
    assert post(phone, payload(phone), key=key).status_code == 201
    # when someone in another county sends the same key with their own visit
    far_user = UserFactory(username="far", role=Role.VISITOR, region=tree["gz_village"])
    far_visitor = VisitorFactory(region=tree["gz_village"], user=far_user)
    far_elder = ElderFactory(village=tree["gz_village"])
    client.force_login(far_user)
    response = client.post(
        "/api/v1/visits/",
        payload(phone, elder=far_elder.pk, visitor=far_visitor.pk),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    # then it is a conflict that names no visit of the other area
    assert response.status_code == 409
    assert "visit" not in response.json()
    assert Visit.objects.count() == 1


def test_a_refused_visit_keeps_its_key_free_for_the_corrected_one(phone):
    key = str(uuid.uuid4())
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    refused = post(phone, payload(phone, visited_on=future), key=key)
    assert refused.status_code == 400 and "visited_on" in refused.json()
    corrected = post(phone, payload(phone), key=key)
    assert corrected.status_code == 201, corrected.content
    assert Visit.objects.count() == 1


def test_a_visit_without_a_key_is_recorded_as_before(phone):
    response = post(phone, payload(phone, health="normal", health_note=""))
    assert response.status_code == 201
    assert response.json()["client_id"] is None
    assert Visit.objects.get().client_id is None
