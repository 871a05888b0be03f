"""The S3 demo data (the receiver of demo_account_seeded): idempotent, and every claim of its
walkthrough lines holds."""

import pytest

from accounts.errors import AccessDenied
from s3 import demo
from s3.models import Bucket, S3Object
from s3.services import buckets, listing, objects
from tests.s3.conftest import principal, read


def test_demo_buckets_and_what_bob_carol_and_alice_may_do(root, alice, bob, carol):
    lines: list[str] = []
    demo.seed(sender=None, root=root, base_url="http://127.0.0.1:8000", lines=lines)
    demo.seed(sender=None, root=root, base_url="http://127.0.0.1:8000", lines=[])  # idempotent
    reports, assets = demo.bucket_names(root.account_id)
    assert Bucket.objects.count() == 2 and S3Object.objects.count() == 7
    assert Bucket.objects.get(name=reports).policy
    text = "\n".join(lines)
    assert reports in text and "s3:ListAllMyBuckets" in text and "s3:PutObject" in text

    carol_p = principal(carol)
    assert {b.name for b in buckets.list_buckets(carol_p).buckets} == {reports, assets}
    assert [c.key for c in listing.list_objects_v2(carol_p, bucket=reports, prefix="reports/").contents] == [
        "reports/2025/q1-sales.csv",
        "reports/2025/q2-sales.csv",
    ]
    assert read(carol_p, reports, "reports/2025/q1-sales.csv").startswith(b"region,amount")
    with pytest.raises(AccessDenied) as caught:
        objects.put_object(carol_p, bucket=reports, key="notes.txt", body=None, content_length=0)
    assert "s3:PutObject" in caught.value.message

    bob_p = principal(bob)
    with pytest.raises(AccessDenied) as caught:
        buckets.list_buckets(bob_p)
    assert "s3:ListAllMyBuckets" in caught.value.message
    assert read(bob_p, reports, "shared/welcome.txt").startswith(b"Welcome")
    with pytest.raises(AccessDenied):
        read(bob_p, reports, "README.txt")

    alice_p = principal(alice)
    with pytest.raises(AccessDenied) as caught:
        objects.delete_object(alice_p, bucket=reports, key="reports/2025/q1-sales.csv")
    assert caught.value.message.endswith("with an explicit deny in a resource-based policy")
    objects.delete_object(alice_p, bucket=reports, key="shared/welcome.txt")
    objects.delete_object(root, bucket=reports, key="reports/2025/q1-sales.csv")  # the root user may
