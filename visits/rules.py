"""Visit rules that need no database, shared by the form, the API (through the service), the
upload validator and the offline phone form's server-side check: one definition, one message."""

from django.utils.translation import gettext, gettext_noop

URGENT = "urgent"
URGENT_NOTE_MSGID = gettext_noop("Say what is urgent.")


def urgent_note_message() -> str:
    return gettext(URGENT_NOTE_MSGID)


def urgent_without_note(
    *, assessments: dict[str, str], notes: dict[str, str], general_note: str = ""
) -> list[str]:
    """The urgent dimensions that nobody explained: neither their own note nor the visit's.

    An urgent finding opens a referral that someone must act on within days; without a word of
    what is wrong the county cannot.
    """
    if general_note.strip():
        return []
    return [
        dimension
        for dimension, value in assessments.items()
        if value == URGENT and not (notes.get(dimension) or "").strip()
    ]
