"""What each account may see of an older person: the one masking policy (个人信息保护).

Pages, API serializers, exports, upload error reports, notifications and logs all ask this
module; nothing else decides how an ID number, a birth date or a phone is shown.

- administrator, prefecture / county officer, township staff, visitor: the ID number masked
  in lists, the API and reports, whole (with the exact birth date) only on the page of a person
  in their area, each view logged; phone, household address and emergency contact shown.
- provincial leadership and partner departments: the ID number masked everywhere, the birth
  year instead of the birth date, no phone, address or emergency contact.

The mask shows the 6-digit address code and the check character only
(`222404***********8`): the birth date and the sequence number stay hidden together, so no
other field (the birth year, the sex, the village) rebuilds the number. An exact birth date or
an age is never shown outside the logged view (an age that ticks up on the birthday would
give the date away to anyone reading the list every day).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from core.roles import Role
from core.scope import scope_covers

# Roles that work with people by name: they may open the logged full-ID view of a person in
# their area, and see the person's phone and address (a visitor calls the people on their
# work list).
FULL_VIEW_ROLES = frozenset(
    {
        Role.PROVINCIAL_ADMIN,
        Role.PREFECTURE_OFFICER,
        Role.COUNTY_OFFICER,
        Role.TOWNSHIP_STAFF,
        Role.VISITOR,
    }
)
SHOWN_PREFIX = 6  # the address code
SHOWN_SUFFIX = 1  # the check character
# ID-like runs of characters inside free text: 14 digits or more (an 18-character number, a
# 15-digit old one, one run into other digits), or Excel's rendering of a number that lost
# its digits (2.22404195003E+17).
ID_LIKE = re.compile(r"[0-9]{14,}[Xx]?|[0-9]\.[0-9]{5,}[Ee]\+?[0-9]+")
LONG_DIGIT_RUN = re.compile(r"[0-9]{4,}")


def mask_id_number(number: str) -> str:
    """The one mask: address code and check character shown, everything between hidden."""
    number = number or ""
    if len(number) <= SHOWN_PREFIX + SHOWN_SUFFIX + 3:
        return "*" * len(number)
    return (
        number[:SHOWN_PREFIX]
        + "*" * (len(number) - SHOWN_PREFIX - SHOWN_SUFFIX)
        + number[-SHOWN_SUFFIX:]
    )


def redact_id_numbers(text: str) -> str:
    """Free text (notes, messages) with every ID-like number in it masked."""
    if not text:
        return text or ""
    return ID_LIKE.sub(lambda match: mask_id_number(match.group(0)), text)


def redact_digits(text: str) -> str:
    """A message about an ID number with the digits it quotes hidden (the birth date in
    'the birth date 19500315 does not exist', the address code...)."""
    return LONG_DIGIT_RUN.sub(lambda match: "*" * len(match.group(0)), redact_id_numbers(text))


@dataclass(frozen=True)
class PersonalDataPolicy:
    """What one account may see of people; get it with `policy_for(user)`."""

    user: object
    full_view: bool  # may open the logged full-ID view of a person in their area
    contact: bool  # sees phone, household address, emergency contact
    person_pages: bool  # may open a person's page at all (partner departments: API only)

    def may_reveal(self, elder) -> bool:
        """Whether the person's page shows this account the whole ID number (logged)."""
        return self.full_view and scope_covers(self.user, elder.village)

    def id_number(self, elder) -> str:
        return mask_id_number(elder.id_number)

    def birth_year(self, elder) -> int:
        return elder.birth_date.year

    def categories(self, elder) -> list:
        """Categories as lists and the API show them: advanced age as of the end of this
        month (as key elders are counted), so no list changes on a birthday."""
        today = timezone.localdate()
        month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(
            day=1
        ) - datetime.timedelta(days=1)
        return elder.categories_on(month_end)

    def phone(self, elder) -> str | None:
        return elder.phone if self.contact else None

    def sees_upload_values(self, upload) -> bool:
        """The officer who uploaded a file sees its ID numbers in the error report while the
        upload is awaiting confirmation; everyone else, and they too once it has ended, see
        them masked."""
        from visits.models import UploadStatus

        return getattr(self.user, "pk", None) == upload.uploader_id and upload.status in (
            UploadStatus.VALIDATING,
            UploadStatus.AWAITING_CONFIRMATION,
        )

    def upload_error(self, upload, column: str, value: str, message: str) -> tuple[str, str]:
        """One line of an upload's error report as this account may read it."""
        if self.sees_upload_values(upload):
            return value, message
        from visits.uploads import HEADER_LOOKUP

        if HEADER_LOOKUP.get(column.strip().lstrip("\ufeff")) == "id_number":
            return mask_id_number(value), redact_digits(message)
        return redact_id_numbers(value), redact_id_numbers(message)


def policy_for(user) -> PersonalDataPolicy:
    if user is None or not getattr(user, "is_authenticated", False):
        return PersonalDataPolicy(user=user, full_view=False, contact=False, person_pages=False)
    works_with_people = user.is_superuser or user.role in FULL_VIEW_ROLES
    return PersonalDataPolicy(
        user=user,
        full_view=works_with_people,
        contact=works_with_people,
        person_pages=user.is_superuser or user.role != Role.PARTNER,
    )
