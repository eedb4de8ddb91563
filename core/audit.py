"""Who did what, from where: the request context every audit row carries.

A middleware puts the request id and the client address of the current request in a context
variable; `core.services.audit_record` reads it. Celery tasks carry the request id along in a
message header (eldercare/celery.py). The client address is the direct peer (REMOTE_ADDR), or,
only when that peer is one of the trusted proxies (DJANGO_TRUSTED_PROXIES), the nearest address
in X-Forwarded-For that is not itself a trusted proxy.
"""

import ipaddress
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a proxy is kept only when it is short and plain (it goes into logs).
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass(frozen=True)
class AuditContext:
    request_id: str = ""
    client_address: str | None = None


NO_CONTEXT = AuditContext()
_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def current() -> AuditContext:
    return _context.get() or NO_CONTEXT


def bind(context: AuditContext):
    """Make `context` current; returns the token to give back to `unbind`."""
    return _context.set(context)


def unbind(token) -> None:
    _context.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    networks = []
    for item in proxies:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR network"
            ) from None
    return tuple(networks)


def trusted_networks():
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    parsed = _parse(address or "")
    return parsed is not None and any(parsed in network for network in trusted_networks())


def client_address(request) -> str | None:
    """The client's IP address: REMOTE_ADDR unless that is a trusted proxy, then the nearest
    untrusted hop of X-Forwarded-For (read right to left: the left part is the client's say)."""
    peer = request.META.get("REMOTE_ADDR") or None
    if peer is not None and _parse(peer) is None:
        peer = None
    if not is_trusted_proxy(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:  # a garbled hop: nothing left of it can be trusted
            break
        address = str(parsed)
        if not is_trusted_proxy(address):
            break
    return address


def request_id_for(request) -> str:
    """The proxy's X-Request-ID when a trusted proxy sent one, else a new id."""
    sent = request.META.get("HTTP_X_REQUEST_ID", "").strip()
    if (
        sent
        and REQUEST_ID_PATTERN.match(sent)
        and is_trusted_proxy(request.META.get("REMOTE_ADDR"))
    ):
        return sent
    return new_request_id()


class AuditContextMiddleware:
    """Binds the request id and client address for the request and echoes the id back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = AuditContext(
            request_id=request_id_for(request), client_address=client_address(request)
        )
        request.request_id = context.request_id
        token = bind(context)
        try:
            response = self.get_response(request)
        finally:
            unbind(token)
        response[REQUEST_ID_HEADER] = context.request_id
        return response


# --- Celery: a task runs with the request context of whoever queued it ------------------------

TASK_HEADER = "eldercare_audit"
_task_tokens: dict[str, object] = {}


def task_headers_add(headers: dict) -> None:
    """before_task_publish: the current request id and client address travel in the message."""
    context = current()
    if context.request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = {
            "request_id": context.request_id,
            "client_address": context.client_address,
        }


def task_context_bind(task) -> None:
    """task_prerun: a worker binds the context the message carries (eager tasks already run
    inside the caller's context and carry no header)."""
    request = task.request
    carried = getattr(request, TASK_HEADER, None) or (request.headers or {}).get(TASK_HEADER)
    if isinstance(carried, dict) and request.id:
        client = carried.get("client_address")
        _task_tokens[request.id] = bind(
            AuditContext(
                request_id=str(carried.get("request_id") or "")[:64],
                client_address=client if _parse(client or "") else None,
            )
        )


def task_context_unbind(task_id) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        unbind(token)
