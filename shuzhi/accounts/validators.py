from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES_REQUIRED = 3


def character_classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class ComplexityValidator:
    """At least the policy's minimum length and three of: lower case, upper case, digits, symbols."""

    def validate(self, password: str, user=None) -> None:
        from shuzhi.accounts.selectors import security_policy

        minimum = security_policy().password_min_length
        errors = []
        if len(password) < minimum:
            errors.append(
                ValidationError(
                    _("密码至少需要 %(min)d 个字符。") % {"min": minimum}, code="password_too_short"
                )
            )
        if character_classes(password) < CLASSES_REQUIRED:
            errors.append(
                ValidationError(
                    _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_too_simple"
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        from shuzhi.accounts.selectors import security_policy

        return _("至少 %(min)d 个字符，包含大写字母、小写字母、数字、符号中的至少三类。") % {
            "min": security_policy().password_min_length
        }
