"""Factories shared by every area's tests. Members get valid, unique ID numbers."""

import itertools
from datetime import date
from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from shuzhi.accounts.models import User
from shuzhi.core.roles import Role
from shuzhi.members.models import Member
from shuzhi.members.rules import id_check_character
from shuzhi.members.services import members_recount
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import organization_totals_refresh

PASSWORD = "Test-Pass-2024"
_serial = itertools.count(1)


@cache
def password_hash() -> str:
    """Argon2 is slow on purpose; hash the shared test password once per process."""
    return make_password(PASSWORD)


def make_id_number(birth: date, gender: str, region: str = "329901") -> str:
    n = next(_serial) % 500
    body = f"{region}{birth:%Y%m%d}{n * 2 + (1 if gender == 'M' else 0):03d}"
    return body + id_check_character(body)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试党组织{n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    kind = Organization.Kind.BRANCH
    level = Organization.Level.VILLAGE
    field = Organization.Field.RURAL

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        org = model_class(*args, **kwargs)
        if parent is None:
            return Organization.objects.add_root(instance=org)
        parent.refresh_from_db()
        org = Organization.objects.add_child(parent, instance=org)
        organization_totals_refresh(paths=[org.path])
        org.refresh_from_db()
        return org


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Member.Gender.MALE
    ethnicity = "汉族"
    birth_date = date(1980, 5, 17)
    education = Member.Education.BACHELOR
    joined_on = date(2005, 7, 1)
    full_member_on = date(2006, 7, 1)
    status = Member.Status.FULL
    category = Member.Category.EMPLOYED
    organization = None
    phone = "13912345678"

    @classmethod
    def _create(cls, model_class, *args, id_number=None, phone="", **kwargs):
        member = model_class(*args, **kwargs)
        member.org_path = member.organization.path
        member.set_id_number(id_number or make_id_number(member.birth_date, member.gender))
        member.set_phone(phone)
        member.full_clean()
        member.save()
        members_recount([member.organization_id])
        return member


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ORGANISER
    organization = None
    password = factory.LazyFunction(password_hash)
