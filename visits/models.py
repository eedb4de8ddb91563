import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.models import Region
from core.roles import Dataset
from core.scope import ScopedQuerySet
from facilities.choices import SixHelps
from facilities.models import Facility
from visits.personal_data import mask_id_number

ADVANCED_AGE = 80


class Category(models.TextChoices):
    """The eight priority categories (8类重点老年人); advanced age is derived, never recorded."""

    LIVING_ALONE = "living_alone", _("Living alone")
    EMPTY_NEST = "empty_nest", _("Empty nest")
    LEFT_BEHIND = "left_behind", _("Left behind")
    EXTREME_HARDSHIP = "extreme_hardship", _("Extreme hardship")
    ADVANCED_AGE = "advanced_age", _("Advanced age (80+)")
    INCAPACITATED = "incapacitated", _("Incapacitated")
    SEVERELY_DISABLED = "severely_disabled", _("Severely disabled")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("Family-planning special family")


RECORDED_CATEGORIES = [c for c in Category if c != Category.ADVANCED_AGE]


class Residence(models.TextChoices):
    AT_HOME = "at_home", _("At home")
    IN_INSTITUTION = "in_institution", _("In an institution")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


def eightieth_birthday_cutoff(on: datetime.date) -> datetime.date:
    """People born on or before this date are 80 or older on `on`."""
    try:
        return on.replace(year=on.year - ADVANCED_AGE)
    except ValueError:  # 29 February
        return on.replace(year=on.year - ADVANCED_AGE, day=28)


def looks_like_id_number(text: str) -> bool:
    """Digits (with a trailing X): a search by ID number, whole or in part."""
    return text.rstrip("Xx").isdigit()


class ElderQuerySet(ScopedQuerySet):
    region_lookup = "village"
    dataset = Dataset.VISITS

    def key_in_month(self, year: int, month: int):
        """Key elders of a month: a category applies, and they were at home and alive in it.

        At home in the month: at home since before its end, or left home (institution, moved,
        died) after its first day. Advanced age counts from the month's last day.
        """
        start, end = month_bounds(year, month)
        any_category = Q(birth_date__lte=eightieth_birthday_cutoff(end))
        for category in RECORDED_CATEGORIES:
            any_category |= Q(**{f"is_{category.value}": True})
        at_home = Q(residence=Residence.AT_HOME) & (
            Q(residence_since__isnull=True) | Q(residence_since__lte=end)
        )
        left_during = ~Q(residence=Residence.AT_HOME) & Q(residence_since__gt=start)
        return self.filter(any_category, at_home | left_during, archived_on__lte=end)

    def search(self, text: str):
        """By name. Digits find nobody here: a search by ID number takes the complete number
        and is logged (`visits.services.elder_search_by_id_number`), never a fragment."""
        text = (text or "").strip()
        if not text:
            return self
        if looks_like_id_number(text):
            return self.none()
        return self.filter(name__icontains=text)


class Elder(models.Model):
    """An older person's electronic archive (老年人电子档案)."""

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), db_index=True)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="elders"
    )
    household_address = models.CharField(_("household address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_phone = models.CharField(_("emergency contact phone"), max_length=32, blank=True)
    is_living_alone = models.BooleanField(_("Living alone"), default=False)
    is_empty_nest = models.BooleanField(_("Empty nest"), default=False)
    is_left_behind = models.BooleanField(_("Left behind"), default=False)
    is_extreme_hardship = models.BooleanField(_("Extreme hardship"), default=False)
    is_incapacitated = models.BooleanField(_("Incapacitated"), default=False)
    has_dementia = models.BooleanField(_("With dementia"), default=False)
    is_severely_disabled = models.BooleanField(_("Severely disabled"), default=False)
    is_family_planning_special = models.BooleanField(
        _("Family-planning special family"), default=False
    )
    residence = models.CharField(
        _("residence"), max_length=16, choices=Residence.choices, default=Residence.AT_HOME
    )
    residence_since = models.DateField(_("residence since"), null=True, blank=True)
    institution = models.ForeignKey(
        Facility,
        verbose_name=_("institution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elders",
    )
    assigned_visitor = models.ForeignKey(
        "visits.Visitor",
        verbose_name=_("assigned visitor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elders",
    )
    archived_on = models.DateField(_("archived on"), default=timezone.localdate)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ElderQuerySet.as_manager()

    class Meta:
        verbose_name = _("older person")
        verbose_name_plural = _("older people")
        ordering = ["village__code", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_dementia=False) | Q(is_incapacitated=True),
                name="elder_dementia_is_a_kind_of_incapacity",
            ),
            models.CheckConstraint(
                condition=~Q(residence="in_institution") | Q(institution__isnull=False),
                name="elder_in_institution_names_it",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("visits:elder-detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        """The ID number as everyone but the logged full-ID view shows it."""
        return mask_id_number(self.id_number)

    def age_on(self, on: datetime.date) -> int:
        from visits.idcard import age_on

        return age_on(self.birth_date, on)

    @property
    def current_categories(self) -> list[Category]:
        return self.categories_on(timezone.localdate())

    def categories_on(self, on: datetime.date) -> list[Category]:
        found = [c for c in RECORDED_CATEGORIES if getattr(self, f"is_{c.value}")]
        if self.age_on(on) >= ADVANCED_AGE:
            found.insert(4, Category.ADVANCED_AGE)
        return found


class VisitorKind(models.TextChoices):
    STAFF = "staff", _("Civil-affairs staff")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    VILLAGE_CADRE = "village_cadre", _("Village cadre")
    VOLUNTEER = "volunteer", _("Volunteer")


class VisitorQuerySet(ScopedQuerySet):
    dataset = Dataset.VISITS


class Visitor(models.Model):
    """A person who visits older people at home (巡访工作人员), inside their own area."""

    name = models.CharField(_("full name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=VisitorKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="visitors"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visitor_profile",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = VisitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["region__code", "name", "id"]

    def __str__(self):
        return self.name

    def covers(self, village: Region) -> bool:
        return village.is_within(self.region)


class Method(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class Assessment(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ATTENTION = "attention", _("Needs attention")
    URGENT = "urgent", _("Urgent")


DIMENSION_MSGIDS = {
    "health": gettext_noop("Health"),
    "finances": gettext_noop("Finances"),
    "safety": gettext_noop("Safety"),
    "needs": gettext_noop("Needs"),
}
DIMENSIONS = {name: _(msgid) for name, msgid in DIMENSION_MSGIDS.items()}


class VisitQuerySet(ScopedQuerySet):
    region_lookup = "elder__village"
    dataset = Dataset.VISITS

    def in_month(self, year: int, month: int):
        return self.filter(visited_on__range=month_bounds(year, month))


class VisitSource(models.TextChoices):
    FORM = "form", _("Form")
    UPLOAD = "upload", _("Upload")
    API = "api", _("API")


class Visit(models.Model):
    """One home visit (巡访) with its assessment in four dimensions."""

    # The unique (elder, visited_on, visitor) index serves lookups by person: no index of its
    # own (fewer indexes to maintain when a county's month goes in by COPY).
    elder = models.ForeignKey(
        Elder,
        verbose_name=_("older person"),
        on_delete=models.CASCADE,
        related_name="visits",
        db_index=False,
    )
    visited_on = models.DateField(_("visit date"))
    visitor = models.ForeignKey(
        Visitor, verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="visits"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    health = models.CharField(_("Health"), max_length=16, choices=Assessment.choices)
    health_note = models.CharField(_("health note"), max_length=300, blank=True)
    finances = models.CharField(_("Finances"), max_length=16, choices=Assessment.choices)
    finances_note = models.CharField(_("finances note"), max_length=300, blank=True)
    safety = models.CharField(_("Safety"), max_length=16, choices=Assessment.choices)
    safety_note = models.CharField(_("safety note"), max_length=300, blank=True)
    needs = models.CharField(_("Needs"), max_length=16, choices=Assessment.choices)
    needs_note = models.CharField(_("needs note"), max_length=300, blank=True)
    helps_needed = models.JSONField(_("helps needed"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=VisitSource.choices, default=VisitSource.FORM
    )
    # Provenance links (which upload, which account) are kept without a database foreign-key
    # check: a county's month goes in by COPY, and each such check costs as much as the row's
    # indexes. Django still applies on_delete; person and visitor keep their database checks.
    upload = models.ForeignKey(
        "visits.VisitUpload",
        verbose_name=_("upload"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        db_constraint=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The id the visitor's phone made when the visit was recorded offline: the idempotency key
    # of POST /api/v1/visits/, so a visit sent twice is stored once. Unique where set: a partial
    # index, so the uploaded rows (no phone id) add nothing to maintain during COPY.
    client_id = models.UUIDField(_("phone-made id"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            # The same person, day and visitor is the same visit: uploads rely on it.
            models.UniqueConstraint(
                fields=["elder", "visited_on", "visitor"], name="visit_unique_per_day_visitor"
            ),
            models.UniqueConstraint(
                fields=["client_id"],
                condition=Q(client_id__isnull=False),
                name="visit_unique_client_id",
            ),
        ]
        indexes = [models.Index(fields=["visited_on"], name="visit_date_idx")]

    def __str__(self):
        return f"{self.elder} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:elder-detail", args=[self.elder_id])

    def urgent_dimensions(self) -> list[str]:
        return [name for name in DIMENSIONS if getattr(self, name) == Assessment.URGENT]


class ReferralKind(models.TextChoices):
    CLEANING = SixHelps.CLEANING.value, SixHelps.CLEANING.label
    MEALS = SixHelps.MEALS.value, SixHelps.MEALS.label
    BATHING = SixHelps.BATHING.value, SixHelps.BATHING.label
    MEDICAL_HELP = SixHelps.MEDICAL.value, SixHelps.MEDICAL.label
    MOBILITY = SixHelps.MOBILITY.value, SixHelps.MOBILITY.label
    EMERGENCY = SixHelps.EMERGENCY.value, SixHelps.EMERGENCY.label
    SOCIAL_RELIEF = "social_relief", _("Social relief")
    PLACEMENT = "institutional_placement", _("Institutional placement")
    MEDICAL = "medical_treatment", _("Medical treatment")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (ReferralStatus.OPEN, ReferralStatus.IN_PROGRESS)


class ReferralQuerySet(ScopedQuerySet):
    region_lookup = "elder__village"
    dataset = Dataset.VISITS

    def overdue(self, today: datetime.date):
        return self.filter(status__in=OPEN_STATUSES, due_date__lt=today)


class Referral(models.Model):
    """Help arranged after a visit (帮扶): visit -> assistance -> service."""

    elder = models.ForeignKey(
        Elder, verbose_name=_("older person"), on_delete=models.CASCADE, related_name="referrals"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ReferralKind.choices)
    dimension = models.CharField(_("urgent dimension"), max_length=16, blank=True)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="referral_status_due_idx")]

    def __str__(self):
        return f"{self.elder} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("visits:referral-update", args=[self.pk])


class AccessKind(models.TextChoices):
    DETAIL_VIEW = "detail_view", _("Full ID number viewed")
    ID_SEARCH = "id_search", _("Search by ID number")
    ARCHIVE_REFUSED = "archive_refused", _("Archive refused: number archived elsewhere")


class PersonalDataAccess(models.Model):
    """Who saw (or searched for) a full ID number, when, and whose (个人信息查阅记录).

    A search for a number nobody in the caller's area has is logged too, without a person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    elder = models.ForeignKey(
        Elder,
        verbose_name=_("older person"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=AccessKind.choices, default=AccessKind.DETAIL_VIEW
    )
    id_number_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.user} → {self.elder or self.id_number_masked}"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Validating")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class VisitUploadQuerySet(ScopedQuerySet):
    dataset = Dataset.VISITS


class VisitUpload(models.Model):
    """A visit-log file a county officer uploaded: validated, previewed, then imported."""

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="visit_uploads",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The uploader's area when uploading: rows outside it are rejected."),
    )
    file = models.FileField(_("file"), upload_to="uploads/visits/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    file_size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rejected rows"), default=0)
    imported_rows = models.PositiveIntegerField(_("imported"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = VisitUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit-log upload")
        verbose_name_plural = _("visit-log uploads")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("visits:upload-detail", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        if self.status in (UploadStatus.DONE, UploadStatus.AWAITING_CONFIRMATION):
            return 100
        if not self.total_rows:
            return 0
        return min(99, round(100 * self.processed_rows / self.total_rows))


class UploadRowError(models.Model):
    upload = models.ForeignKey(
        VisitUpload, verbose_name=_("upload"), on_delete=models.CASCADE, related_name="row_errors"
    )
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=50)
    value = models.CharField(_("value"), max_length=300, blank=True)
    message = models.CharField(_("message"), max_length=300)
    # The message untranslated (core.deferred): rendered in the reader's language.
    message_spec = models.JSONField(_("message (untranslated)"), null=True, blank=True)

    class Meta:
        verbose_name = _("row error")
        verbose_name_plural = _("row errors")
        ordering = ["upload", "row", "id"]
        indexes = [models.Index(fields=["upload", "row"], name="upload_error_row_idx")]

    def __str__(self):
        return f"{self.row}/{self.column}: {self.message}"
