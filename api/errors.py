"""Errors as the API answers them: a service's ``ValidationError`` (its Vietnamese messages keyed by field, as the
form shows them) is a 400 with the same messages; the access gate's 404 and 403 say what the pages say."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from api.throttling import throttled_message


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as ``{field: [message, ...]}``; messages not tied to a field under ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in error.messages]}


def refused(error: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(messages_of(error))


def exception_handler(exc, context):
    """DRF's handler, with the pages' wording for 404 and 403 (one answer for "does not exist" and "outside your
    subtree", as on the pages)."""
    if isinstance(exc, Http404 | exceptions.NotFound):
        exc = exceptions.NotFound(_("Không tìm thấy, hoặc nằm ngoài phạm vi tổ chức đồng chí được xem."))
    elif isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        exc = exceptions.PermissionDenied(_("Đồng chí không có quyền thực hiện thao tác này."))
    elif isinstance(exc, ValidationError):
        exc = refused(exc)
    elif isinstance(exc, exceptions.Throttled):
        wait, exc = exc.wait, exceptions.Throttled(exc.wait)
        exc.detail = exceptions.ErrorDetail(throttled_message(wait), code="throttled")  # without DRF's English tail
    return drf_exception_handler(exc, context)
