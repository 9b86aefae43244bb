"""Every page: anonymous users go to the login page, wrong roles get 403, wrong methods 405."""

import pytest
from django.urls import reverse

ROLES = [
    "city_organiser",
    "county_organiser",
    "township_secretary",
    "member_user",
    "reviewer",
    "sysadmin",
    "secadmin",
    "auditor",
]
ORGANISERS = {"city_organiser", "county_organiser"}

# url name, kwargs (names of cast objects), roles allowed, allowed methods
PAGES = [
    ("orgs:tree", {}, ORGANISERS | {"township_secretary", "reviewer", "sysadmin"}, {"GET"}),
    (
        "orgs:detail",
        {"pk": "township_a"},
        ORGANISERS | {"township_secretary", "reviewer", "sysadmin"},
        {"GET"},
    ),
    (
        "orgs:children",
        {"pk": "township_a"},
        ORGANISERS | {"township_secretary", "reviewer", "sysadmin"},
        {"GET"},
    ),
    ("orgs:edit", {"pk": "township_a"}, ORGANISERS, {"GET", "POST"}),
    ("orgs:create", {"parent_pk": "township_a"}, ORGANISERS, {"GET", "POST"}),
    ("members:list", {}, ORGANISERS | {"township_secretary", "member_user"}, {"GET"}),
    ("members:detail", {"pk": "member_a"}, ORGANISERS | {"township_secretary", "member_user"}, {"GET"}),
    ("members:find", {}, ORGANISERS | {"township_secretary"}, {"POST"}),
    ("members:create", {}, ORGANISERS, {"GET", "POST"}),
    ("members:edit", {"pk": "member_a"}, ORGANISERS, {"GET", "POST"}),
    ("accounts:user_list", {}, {"sysadmin"}, {"GET"}),
    ("accounts:locked_list", {}, {"secadmin"}, {"GET"}),
    ("accounts:locked_unlock", {}, {"secadmin"}, {"POST"}),
    ("accounts:user_create", {}, {"sysadmin"}, {"GET", "POST"}),
    ("accounts:user_edit", {"pk": "member_user"}, {"sysadmin"}, {"GET", "POST"}),
    ("accounts:user_reset_password", {"pk": "member_user"}, {"sysadmin"}, {"POST"}),
    ("accounts:user_unlock", {"pk": "member_user"}, {"sysadmin"}, {"POST"}),
    ("accounts:security_policy", {}, {"secadmin"}, {"GET", "POST"}),
    ("core:audit_list", {}, {"auditor"}, {"GET"}),
    ("core:audit_verify", {}, {"auditor"}, {"GET", "POST"}),
    ("core:audit_digest", {}, {"auditor"}, {"POST"}),
]


def _url(cast, name, kwargs):
    return reverse(name, kwargs={key: getattr(cast, value).pk for key, value in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs", "allowed", "methods"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_refuses_the_roles_it_is_not_for(client, cast, name, kwargs, allowed, methods):
    url = _url(cast, name, kwargs)
    method = "get" if "GET" in methods else "post"
    for role in ROLES:
        if role in allowed:
            continue
        client.force_login(getattr(cast, role))
        response = getattr(client, method)(url)
        assert response.status_code == 403, (role, url, response.status_code)
        assert "无权访问" in response.content.decode()


@pytest.mark.parametrize(("name", "kwargs", "allowed", "methods"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_sends_anonymous_visitors_to_the_login_page(client, cast, name, kwargs, allowed, methods):
    url = _url(cast, name, kwargs)
    response = client.get(url) if "GET" in methods else client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "kwargs", "allowed", "methods"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_refuses_the_methods_it_does_not_take(client, cast, name, kwargs, allowed, methods):
    url = _url(cast, name, kwargs)
    client.force_login(getattr(cast, sorted(allowed)[0]))
    for method in ("get", "post", "put", "delete"):
        if method.upper() in methods:
            continue
        assert getattr(client, method)(url).status_code == 405, (method, url)
