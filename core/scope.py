"""The one place that decides which rows an account may see.

Every model a user can read gets a QuerySet subclassing ScopedQuerySet, naming the path to its
Region (`region_lookup`) and the dataset it belongs to. Web views, the API and exports all call
`Model.objects.visible_to(user)`; nothing else filters by region for security.
"""

from dataclasses import dataclass

from django.db import models

from core.roles import PROVINCE_WIDE_ROLES, Role


@dataclass(frozen=True)
class Scope:
    """What an account may see: everything, nothing, or one region subtree (a code prefix)."""

    everything: bool = False
    code_prefix: str | None = None
    datasets: frozenset[str] | None = None  # None: every dataset; partners: their grants

    @property
    def nothing(self) -> bool:
        return not self.everything and self.code_prefix is None

    def allows_dataset(self, dataset: str | None) -> bool:
        return dataset is None or self.datasets is None or dataset in self.datasets


def scope_for(user) -> Scope:
    """Computed once per request/user object and cached on it."""
    cached = getattr(user, "_eldercare_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if getattr(user, "pk", None):
        user._eldercare_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    datasets = None
    if user.role == Role.PARTNER:
        datasets = frozenset(user.dataset_grants.values_list("dataset", flat=True))
    if user.role in PROVINCE_WIDE_ROLES:
        return Scope(everything=True, datasets=datasets)
    region = user.region
    if region is None:
        return Scope()
    if region.level == "province" and user.role == Role.PARTNER:
        return Scope(everything=True, datasets=datasets)
    return Scope(code_prefix=region.code_prefix, datasets=datasets)


class ScopedQuerySet(models.QuerySet):
    #: Path from the model to its Region ("" when the model is Region itself).
    region_lookup: str = "region"
    #: The dataset partner departments need a grant for (None: reference data anyone may read).
    dataset: str | None = None

    def _code_field(self) -> str:
        return f"{self.region_lookup}__code" if self.region_lookup else "code"

    def within(self, region):
        """Rows in a region's subtree (a code-prefix filter, not a security boundary)."""
        return self.filter(**{f"{self._code_field()}__startswith": region.code_prefix})

    def visible_to(self, user):
        scope = scope_for(user)
        if scope.nothing or not scope.allows_dataset(self.dataset):
            return self.none()
        if scope.everything:
            return self.all()
        return self.filter(**{f"{self._code_field()}__startswith": scope.code_prefix})


def scope_covers(user, region) -> bool:
    """Whether a region lies inside the user's scope (no query: codes nest)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if scope.nothing or region is None:
        return False
    return region.code.startswith(scope.code_prefix)
