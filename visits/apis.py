import uuid

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.models import Region, User
from core.permissions import ReadOnlyRolesCannotWrite
from core.regions import ancestor_codes
from core.roles import PROVINCE_WIDE_ROLES
from core.scope import scope_covers, scope_for
from visits import selectors, services
from visits.filters import ElderFilter, ReferralFilter, VisitFilter
from visits.models import Elder, Referral, Visit, Visitor, VisitUpload
from visits.personal_data import policy_for, redact_id_numbers
from visits.upload_views import error_report, upload_scope


class ElderSerializer(serializers.ModelSerializer):
    """Personal data as the masking policy (visits/personal_data.py) lets the caller see it:
    the ID number masked for everyone (the full number is never sent over the API), the birth
    year instead of the birth date, phone and household address only to roles that work with
    people."""

    CONTACT_FIELDS = ("phone", "household_address")

    id_number = serializers.CharField(write_only=True)
    id_number_masked = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()
    village = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Elder
        fields = [
            "id",
            "id_number",
            "id_number_masked",
            "name",
            "sex",
            "birth_year",
            "village",
            "household_address",
            "phone",
            "categories",
            "is_living_alone",
            "is_empty_nest",
            "is_left_behind",
            "is_extreme_hardship",
            "is_incapacitated",
            "has_dementia",
            "is_severely_disabled",
            "is_family_planning_special",
            "residence",
            "residence_since",
            "assigned_visitor",
            "archived_on",
        ]
        read_only_fields = ["sex"]
        validators = []

    @property
    def policy(self):
        request = self.context.get("request")
        return policy_for(request.user if request else None)

    def get_id_number_masked(self, elder) -> str:
        return self.policy.id_number(elder)

    def get_birth_year(self, elder) -> int:
        return self.policy.birth_year(elder)

    def get_categories(self, elder) -> list[str]:
        return [c.value for c in self.policy.categories(elder)]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.policy.contact:
            for name in self.CONTACT_FIELDS:
                data.pop(name, None)
        return data

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["village"].queryset = Region.objects.visible_to(request.user)
            fields["assigned_visitor"].queryset = Visitor.objects.visible_to(request.user)
        return fields

    def create(self, validated_data):
        return services.elder_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("id_number", None)
        return services.elder_update(
            elder=instance, user=self.context["request"].user, **validated_data
        )


class ElderViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ElderSerializer
    filterset_class = ElderFilter
    permission_classes = [ReadOnlyRolesCannotWrite]

    def get_queryset(self):
        return selectors.elder_list(user=self.request.user).order_by("id")


class VisitSerializer(serializers.ModelSerializer):
    """A visit; `client_id` (or the `Idempotency-Key` header) is the phone-made id: the same
    id sent again stores nothing new and answers 200 with `duplicate: true`."""

    client_id = serializers.UUIDField(required=False, allow_null=True)
    duplicate = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "elder",
            "visitor",
            "visited_on",
            "method",
            "health",
            "health_note",
            "finances",
            "finances_note",
            "safety",
            "safety_note",
            "needs",
            "needs_note",
            "helps_needed",
            "notes",
            "source",
            "created_at",
            "client_id",
            "duplicate",
        ]
        read_only_fields = ["source", "created_at"]
        validators = []

    FREE_TEXT = ("health_note", "finances_note", "safety_note", "needs_note", "notes")

    def to_representation(self, instance):
        """Free text may quote an ID number: it goes out masked (the masking policy)."""
        data = super().to_representation(instance)
        for name in self.FREE_TEXT:
            data[name] = redact_id_numbers(data[name])
        return data

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["elder"].queryset = Elder.objects.visible_to(request.user)
            fields["visitor"].queryset = Visitor.objects.visible_to(request.user)
        return fields

    def get_duplicate(self, visit) -> bool:
        return getattr(visit, "duplicate", False)

    def validate(self, attrs):
        request = self.context.get("request")
        header = request.headers.get("Idempotency-Key", "").strip() if request else ""
        if header:
            try:
                key = uuid.UUID(header)
            except ValueError:
                raise serializers.ValidationError(
                    {"client_id": _("The Idempotency-Key header must be a UUID.")}
                ) from None
            if attrs.get("client_id") not in (None, key):
                raise serializers.ValidationError(
                    {"client_id": _("The Idempotency-Key header and client_id differ.")}
                )
            attrs["client_id"] = key
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        client_id = validated_data.pop("client_id", None)
        if client_id is None:
            return services.visit_record(user=user, source="api", **validated_data)
        visit, duplicate = services.visit_record_once(
            user=user, client_id=client_id, source="api", **validated_data
        )
        visit.duplicate = duplicate
        return visit


class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """POST with an `Idempotency-Key` header (a UUID made on the phone): 201 stored, 200 the
    same visit already stored (`duplicate`), 409 the key names a visit with other content."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    permission_classes = [ReadOnlyRolesCannotWrite]

    def create(self, request, *args, **kwargs):
        try:
            response = super().create(request, *args, **kwargs)
        except services.IdempotencyConflict as conflict:
            body = {"code": "idempotency_conflict", "detail": conflict.message}
            if conflict.visit is not None:
                body["visit"] = conflict.visit.pk
            return Response(body, status=status.HTTP_409_CONFLICT)
        if response.data.get("duplicate"):
            response.status_code = status.HTTP_200_OK
        return response

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user).order_by("-visited_on", "-id")


def _assignable_users(user):
    """Accounts that may be named as an assignee by this user: active, working in the user's
    area or in an area above it. Any other id answers as if it did not exist."""
    scope = scope_for(user)
    active = User.objects.filter(is_active=True)
    if scope.everything:
        return active
    if scope.nothing or user.region is None:
        return active.none()
    above = ancestor_codes(user.region.code, user.region.level, include_self=True)
    return active.filter(
        Q(region__code__startswith=scope.code_prefix)
        | Q(region__code__in=above)
        | Q(role__in=PROVINCE_WIDE_ROLES)
    )


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id",
            "elder",
            "visit",
            "kind",
            "dimension",
            "description",
            "assignee",
            "due_date",
            "status",
            "outcome",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["dimension", "opened_at", "closed_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("description", "outcome"):
            data[name] = redact_id_numbers(data[name])
        return data

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["elder"].queryset = Elder.objects.visible_to(request.user)
            fields["visit"].queryset = Visit.objects.visible_to(request.user)
            fields["assignee"].queryset = _assignable_users(request.user)
        return fields

    def validate(self, attrs):
        """An assignee who does not work in the person's area answers exactly like a user id
        that does not exist: whether an account exists elsewhere is not the caller's business."""
        assignee = attrs.get("assignee")
        elder = attrs.get("elder") or getattr(self.instance, "elder", None)
        if assignee is not None and (elder is None or not scope_covers(assignee, elder.village)):
            field = self.fields["assignee"]
            raise serializers.ValidationError(
                {"assignee": [field.error_messages["does_not_exist"].format(pk_value=assignee.pk)]}
            )
        return attrs

    def create(self, validated_data):
        validated_data.pop("status", None)
        validated_data.pop("outcome", None)
        return services.referral_open(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.referral_update(
            user=self.context["request"].user,
            referral=instance,
            status=validated_data.get("status", instance.status),
            outcome=validated_data.get("outcome", ""),
            assignee=validated_data.get("assignee"),
        )


class ReferralViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    permission_classes = [ReadOnlyRolesCannotWrite]

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user).order_by("due_date", "id")


class UploadSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = VisitUpload
        fields = [
            "id",
            "file",
            "original_name",
            "file_format",
            "file_size",
            "status",
            "status_display",
            "total_rows",
            "processed_rows",
            "valid_rows",
            "rejected_rows",
            "imported_rows",
            "duplicate_rows",
            "message",
            "created_at",
            "validated_at",
            "finished_at",
            "errors_url",
        ]
        read_only_fields = [f for f in fields if f != "file"]

    def get_errors_url(self, upload) -> str:
        return reverse("api:upload-errors", args=[upload.pk])

    def create(self, validated_data):
        return services.upload_create(
            user=self.context["request"].user, uploaded_file=validated_data["file"]
        )


class UploadViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visit-log uploads for county systems: POST the file, poll the status, confirm."""

    serializer_class = UploadSerializer
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [ReadOnlyRolesCannotWrite]

    def get_queryset(self):
        return upload_scope(self.request.user)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        upload = services.upload_confirm(user=request.user, upload=self.get_object())
        return Response(self.get_serializer(upload).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        upload = services.upload_cancel(user=request.user, upload=self.get_object())
        return Response(self.get_serializer(upload).data)

    @action(detail=True, methods=["get"], url_path="errors")
    def errors(self, request, pk=None, format=None):  # format: the .json suffix
        """The error report: row, column, value, message; ?format=csv or xlsx (default)."""
        file_format = "csv" if request.query_params.get("format") == "csv" else "xlsx"
        return error_report(request.user, self.get_object(), file_format)
