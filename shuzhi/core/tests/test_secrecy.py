"""core.secrecy.rewrite_shuffled on a table of its own kind (auto ids, times), as member records
will use it: the rows say the same, their ids and times no longer tell the order of writing."""

import pytest
from django.db import transaction
from django.utils import timezone

from shuzhi.core.models import Notification
from shuzhi.core.secrecy import rewrite_allowed, rewrite_shuffled

pytestmark = pytest.mark.django_db


def test_rows_are_written_again_in_a_random_order_with_new_ids_and_one_time(cast):
    for n in range(40):
        Notification.objects.create(
            recipient=cast.member_user, text=f"第{n}条", read_at=timezone.now() if n % 2 else None
        )
    Notification.objects.create(recipient=cast.reviewer, text="别人的")
    before = {n.text: n for n in Notification.objects.filter(recipient=cast.member_user)}
    at = timezone.now().replace(microsecond=0)
    with transaction.atomic(), rewrite_allowed("core.test"):
        assert rewrite_shuffled(Notification.objects.filter(recipient=cast.member_user), at=at) == 40
    after = list(Notification.objects.filter(recipient=cast.member_user).order_by("id"))
    assert sorted(n.text for n in after) == sorted(before)
    assert not {n.pk for n in after} & {n.pk for n in before.values()}  # fresh ids
    assert {n.created_at for n in after} == {at} and {n.updated_at for n in after} == {at}
    assert all((n.read_at is None) == (before[n.text].read_at is None) for n in after)  # unset stays unset
    order = [int(n.text[1:-1]) for n in after]  # the new ids run in a random order, not the old one
    assert order != sorted(order)
    assert Notification.objects.get(recipient=cast.reviewer).text == "别人的"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        rewrite_shuffled(Notification.objects.all())
