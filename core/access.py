"""Which parts of the portal an account may open at all: a partner department only the datasets
it was granted. Row-level scope stays in core.scope; this decides whole sections, so that a
partner without a grant is told so ("未授权") instead of being shown an empty list."""

from functools import wraps

from django.shortcuts import render
from django.urls import URLPattern

from core.roles import Dataset
from core.scope import scope_for


def dataset_granted(user, dataset: str) -> bool:
    return scope_for(user).allows_dataset(dataset)


def granted_datasets(user) -> list[Dataset]:
    return [dataset for dataset in Dataset if dataset_granted(user, dataset)]


def dataset_required(dataset: str):
    """Answer 403 with the "not granted" page when a signed-in account lacks the dataset."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated and not dataset_granted(user, dataset):
                return render(
                    request,
                    "core/not_granted.html",
                    {"dataset": Dataset(dataset), "granted": granted_datasets(user)},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def guard_patterns(dataset: str, urlpatterns: list, *, exempt: tuple[str, ...] = ()) -> list:
    """Put `dataset_required` on every view of an app's URLconf (names in `exempt` stay open)."""
    for pattern in urlpatterns:
        if isinstance(pattern, URLPattern) and pattern.name not in exempt:
            pattern.callback = dataset_required(dataset)(pattern.callback)
    return urlpatterns
