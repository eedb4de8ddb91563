"""Request id and client address of the audit trail and the personal-data access log: the
X-Forwarded-For and X-Request-ID headers are believed only from a trusted proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.audit import client_address, request_id_for
from core.models import AuditEntry
from core.roles import Role
from tests.factories import ElderFactory
from visits.models import PersonalDataAccess

PROXY = "10.0.0.5"
CLIENT = "203.0.113.20"


def request(remote_addr, forwarded=None, request_id=None):
    headers = {}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if request_id is not None:
        headers["HTTP_X_REQUEST_ID"] = request_id
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    # given no trusted proxy (the default)
    settings.TRUSTED_PROXIES = []
    # then a forwarded-for header is the client's say and ignored
    assert client_address(request(PROXY, forwarded="1.2.3.4")) == PROXY
    assert client_address(request(CLIENT)) == CLIENT
    # and a request id from the client is not taken: a new one is made
    made = request_id_for(request(CLIENT, request_id="chosen-by-client"))
    assert made != "chosen-by-client" and len(made) == 32


def test_behind_a_trusted_proxy_the_forwarded_client_is_taken(settings):
    # given the proxy network is trusted
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::/32"]
    # then the nearest untrusted hop of X-Forwarded-For is the client
    assert client_address(request(PROXY, forwarded=CLIENT)) == CLIENT
    assert client_address(request(PROXY, forwarded=f"{CLIENT}, 10.0.0.9")) == CLIENT
    # a client that sends its own X-Forwarded-For cannot pick its address: the proxy appends
    assert client_address(request(PROXY, forwarded=f"6.6.6.6, {CLIENT}")) == CLIENT
    # garbage in the header stops there; no header means the proxy itself
    assert client_address(request(PROXY, forwarded=f"not-an-ip, {CLIENT}")) == CLIENT
    assert client_address(request(PROXY, forwarded="not-an-ip")) == PROXY
    assert client_address(request(PROXY)) == PROXY
    # a peer outside the trusted networks is believed about nothing
    assert client_address(request(CLIENT, forwarded="1.2.3.4")) == CLIENT
    # the proxy's request id is kept, unless it is not a plain short id
    assert request_id_for(request(PROXY, request_id="abc-123")) == "abc-123"
    assert request_id_for(request(PROXY, request_id="x" * 65)) != "x" * 65
    assert request_id_for(request(PROXY, request_id="a b\n")) != "a b\n"


@pytest.mark.django_db
def test_the_full_id_view_logs_the_forwarded_client_only_behind_a_trusted_proxy(
    client, users, tree, settings
):
    elder = ElderFactory(name="朴老汉")
    client.force_login(users[Role.TOWNSHIP_STAFF])
    url = reverse("visits:elder-detail", args=[elder.pk])
    # given no trusted proxy: the direct peer is logged, whatever the header says
    settings.TRUSTED_PROXIES = []
    client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    # given the proxy is trusted: the client it forwards for is logged
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {CLIENT}")
    logged = list(PersonalDataAccess.objects.order_by("id").values_list("ip_address", flat=True))
    assert logged == [PROXY, CLIENT]


@pytest.mark.django_db
def test_a_change_through_the_api_is_audited_with_the_request_id_and_client(
    client, users, tree, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    elder = ElderFactory(name="朴老汉", phone="")
    officer = users[Role.COUNTY_OFFICER]
    auth = f"Token {Token.objects.create(user=officer).key}"
    # when the proxy forwards a PATCH of the person's phone with its request id
    response = client.patch(
        f"/api/v1/elders/{elder.pk}/",
        {"phone": "13912345678"},
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
        HTTP_X_REQUEST_ID="edge-42",
    )
    assert response.status_code == 200, response.content
    # then the request id is echoed and the audit row has who, what, from where
    assert response["X-Request-ID"] == "edge-42"
    entry = AuditEntry.objects.get(object_type="visits.elder", object_id=str(elder.pk))
    assert (entry.actor, entry.action, entry.request_id, entry.client_address) == (
        officer,
        "update",
        "edge-42",
        CLIENT,
    )
    assert (entry.before, entry.after) == ({"phone": ""}, {"phone": "13912345678"})
    # and a request straight from a client gets a fresh id, echoed too
    response = client.get("/healthz/", REMOTE_ADDR=CLIENT, HTTP_X_REQUEST_ID="mine")
    assert response["X-Request-ID"] not in ("", "mine")


def test_a_bad_trusted_proxy_setting_stops_the_start():
    from tests.test_settings import manage

    result = manage("check", DJANGO_TRUSTED_PROXIES="10.0.0.0/8, proxy.local")
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr and "proxy.local" in result.stderr
    assert manage("check", DJANGO_TRUSTED_PROXIES="10.0.0.0/8, 172.18.0.2").returncode == 0


def test_login_lockout_and_api_throttle_count_the_real_client_not_the_proxy(rf, settings):
    from core.login_throttle import client_address as login_address
    from core.throttling import AnonRateThrottle

    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert login_address(request) == "203.0.113.7"
    assert AnonRateThrottle().get_ident(request) == "203.0.113.7"
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert login_address(spoofed) == "198.51.100.1"
    assert AnonRateThrottle().get_ident(spoofed) == "198.51.100.1"
