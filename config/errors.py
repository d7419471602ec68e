"""Domain errors: a stable code and a Chinese message, translated once for the API."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, message, *, code=None, **data):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.data = data


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "message": exc.message, "data": exc.data}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        # A model-level validation error raised by a service: name the fields like DRF does.
        exc = serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return drf_exception_handler(exc, context)
