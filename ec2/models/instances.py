"""EC2 instances of the demo world: the instance, its tags, its IAM instance profile
association and the role credentials its metadata service hands out.

An instance stores the state its last transition started and when (``ec2.states`` derives
the state seen now). Everything is scoped by account and region: an instance of another
account or region is not found.
"""

from django.db import models
from django.utils import timezone

from accounts.models import Account, InstanceProfile, TemporaryCredential

from .. import ids, states


class Instance(models.Model):
    instance_id = models.CharField(max_length=19, unique=True)
    reservation_id = models.CharField(max_length=19)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ec2_instances")
    region = models.CharField(max_length=32)
    availability_zone = models.CharField(max_length=40)
    instance_type = models.CharField(max_length=32)
    image_id = models.CharField(max_length=21)
    ami_launch_index = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=[(s, s) for s in states.NAMES])
    state_since = models.DateTimeField()
    launch_time = models.DateTimeField()
    client_token = models.CharField(max_length=64, blank=True)
    # MetadataOptions
    http_tokens = models.CharField(max_length=8, default="optional")
    http_endpoint = models.CharField(max_length=8, default="enabled")
    http_put_response_hop_limit = models.PositiveSmallIntegerField(default=1)
    # who launched it (for the audit-minded console; the trail has the event too)
    launched_by = models.CharField(max_length=1024, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ec2_instance"
        indexes = [models.Index(fields=["account", "region", "id"], name="ec2_instance_account_region")]

    def __str__(self) -> str:
        return self.instance_id

    @property
    def arn(self) -> str:
        return ids.instance_arn(self.region, self.account_id, self.instance_id)

    @property
    def private_ip(self) -> str:
        return ids.private_ip(self.instance_id)


class InstanceTag(models.Model):
    """One tag of an instance (EC2 tag keys are case-sensitive)."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        db_table = "ec2_instance_tag"
        constraints = [models.UniqueConstraint("instance", "key", name="ec2_instance_tag_key_unique")]
        indexes = [models.Index(fields=["key", "value"], name="ec2_instance_tag_key_value")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class IamInstanceProfileAssociation(models.Model):
    """The instance profile an instance has (at most one). The profile's ARN and ID are kept
    as EC2 keeps them: a profile deleted in IAM leaves an association that gives no role."""

    association_id = models.CharField(max_length=27, unique=True)
    instance = models.OneToOneField(
        Instance, on_delete=models.CASCADE, related_name="iam_instance_profile_association"
    )
    instance_profile = models.ForeignKey(
        InstanceProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="ec2_associations"
    )
    profile_arn = models.CharField(max_length=2048)
    profile_unique_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ec2_iam_instance_profile_association"

    def __str__(self) -> str:
        return self.association_id


class InstanceRoleCredential(models.Model):
    """The role session the instance's metadata service hands out now. Its session token is
    kept encrypted (STS keeps only its hash) so that the same credentials are served until
    they are rotated; deleting the session (stop, terminate, role removed) deletes this too."""

    instance = models.OneToOneField(Instance, on_delete=models.CASCADE, related_name="role_credential")
    credential = models.OneToOneField(TemporaryCredential, on_delete=models.CASCADE, related_name="+")
    token_encrypted = models.TextField()
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ec2_instance_role_credential"

    def __str__(self) -> str:
        return f"{self.instance_id}:{self.credential_id}"
