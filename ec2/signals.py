"""What the EC2 app hears from ``accounts``: the demo account was seeded (add the EC2 demo
world), a role left an instance profile (end the sessions of the instances that had it), and an
account was reset for the next class (its instances go)."""

from django.db.models.signals import m2m_changed


def connect() -> None:
    from accounts.models import InstanceProfile
    from accounts.signals import account_reset, demo_account_seeded

    demo_account_seeded.connect(seed_demo, dispatch_uid="ec2.seed_demo")
    account_reset.connect(reset_account, dispatch_uid="ec2.reset_account")
    m2m_changed.connect(
        profile_roles_changed, sender=InstanceProfile.roles.through, dispatch_uid="ec2.profile_roles_changed"
    )


def seed_demo(sender, root, base_url, lines, **kwargs):
    from .services import demo

    demo.seed(root, base_url=base_url, lines=lines)


def reset_account(sender, account_id, counts, **kwargs):
    """The account is emptied (inside the reset's transaction): its instances, in every region,
    go with what hangs on them (the instances' role sessions went with the account's temporary
    credentials)."""
    from .models import Instance

    counts["ec2_instances"] = (
        Instance.objects.filter(account_id=account_id).delete()[1].get("ec2.Instance", 0)
    )


def profile_roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """RemoveRoleFromInstanceProfile (or a role deleted): the instances with that profile lose
    the role now, and their credentials stop working (EC2 serves no role then)."""
    from .services import sessions

    if reverse:  # role.instance_profiles.remove(…) / .clear(): ``instance`` is the role
        if action == "post_remove":
            sessions.end_for_profiles(pk_set or ())
        elif action == "pre_clear":  # which profiles: only known before the clear
            sessions.end_for_profiles(instance.instance_profiles.values_list("pk", flat=True))
    elif action in ("post_remove", "post_clear"):  # profile.roles.remove(role) / .clear()
        sessions.end_for_profiles((instance.pk,))
