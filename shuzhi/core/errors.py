from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on one field that keeps its code (a dict message would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})
