import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the switch.

    Staff browsers often announce English; the portal follows the language cookie set by the
    switch (Django's set_language view), never the browser's Accept-Language.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


NUL = "\x00"
JSON_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _refuse(request, status: int, message: str):
    if _is_api(request) or request.content_type == "application/json":
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in querydict.lists())


class HostileInputMiddleware:
    """Refuses what no view should ever see, before a view or the database does.

    - a NUL character in the path, the query string, a form field or a JSON body: 400
      (PostgreSQL cannot store or compare text with NUL; the database would answer a 500);
    - a JSON body larger than settings.API_JSON_MAX_BYTES: 413, judged on Content-Length
      before a byte is read (form bodies are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.check(request)
        return refused or self.get_response(request)

    def check(self, request):
        nul_message = _("The request contains a NUL character, which is not allowed.")
        if NUL in request.path_info or NUL in request.path or _has_nul(request.GET):
            return _refuse(request, 400, nul_message)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        if request.content_type == "application/json" or request.content_type.endswith("+json"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _refuse(request, 400, _("The Content-Length header is not a number."))
            limit = settings.API_JSON_MAX_BYTES
            if length > limit:
                return _refuse(
                    request,
                    413,
                    _("The request body is too large (at most %(size)s bytes).") % {"size": limit},
                )
            body = request.body
            if b"\x00" in body or JSON_NUL_ESCAPE.search(body.decode("utf-8", "replace")):
                return _refuse(request, 400, nul_message)
        elif request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            if _has_nul(request.POST):  # parsed as CsrfViewMiddleware would (files not read)
                return _refuse(request, 400, nul_message)
        elif request.content_type == "application/x-www-form-urlencoded":
            if b"\x00" in request.body or b"%00" in request.body:  # PUT / PATCH forms
                return _refuse(request, 400, nul_message)
        return None
