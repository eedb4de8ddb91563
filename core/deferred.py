"""Texts the portal writes now and people read later, each in their own language.

A notification or an upload problem is produced once (often by a Celery worker, in the default
language) but read by staff in Chinese and by others in English. Such texts are stored as a
spec, the untranslated message id with its parameters, and rendered when read; the plain text
rendered at creation stays beside it for e-mail, search and rows written before specs existed.
Message ids must be marked where they are written (`gettext_noop`) so the catalogs carry them.
"""

from django.utils.translation import gettext


class DeferredText:
    """A message to translate when read: `str()` renders it in the active language."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params

    @property
    def spec(self) -> dict:
        return {"msgid": self.msgid, "params": {k: _spec(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return render(self.spec)


def _spec(value):
    if isinstance(value, DeferredText):
        return value.spec
    if isinstance(value, list | tuple):
        return [_spec(item) for item in value]
    return value


def _render_value(value):
    if isinstance(value, dict) and "msgid" in value:
        return render(value)
    if isinstance(value, list):
        return "、".join(str(_render_value(item)) for item in value)
    return value


def render(spec: dict | None, fallback: str = "") -> str:
    if not spec or "msgid" not in spec:
        return fallback
    text = gettext(spec["msgid"])
    params = {key: _render_value(value) for key, value in (spec.get("params") or {}).items()}
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return fallback or text
