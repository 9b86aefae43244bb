from datetime import date

import pytest

from shuzhi.demo.dossiers import demo_dossiers_ensure
from shuzhi.dossiers import selectors
from shuzhi.dossiers.models import CommunityRegistration, ReserveCadre, Scan, ServiceActivity, Talent
from shuzhi.testing.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_demo_writes_files_talents_and_a_community_once(cast):
    community = OrganizationFactory(
        name="幸福社区党支部", code="C01001900", parent=cast.township_a, field="community"
    )
    office = OrganizationFactory(name="区财政局机关党支部", code="C01900", parent=cast.county_a, level="institution",
                                 field="agency")  # fmt: skip
    for i in range(3):
        MemberFactory(name=f"在职{i}", organization=office)
    scans, talents, registered = demo_dossiers_ensure(root=cast.city, today=date(2025, 6, 1))
    assert scans == Scan.objects.count() > 0 and talents == Talent.objects.count() == 24 + 12 + 21
    assert registered == CommunityRegistration.objects.filter(community=community).count() > 0
    assert ServiceActivity.objects.count() == 2 and ReserveCadre.objects.count() == 9
    tally, _children = selectors.overview(cast.city)
    assert tally.members == 7 and 0 <= tally.complete <= 7
    assert demo_dossiers_ensure(root=cast.city, today=date(2025, 6, 1)) == (0, 0, 0)
