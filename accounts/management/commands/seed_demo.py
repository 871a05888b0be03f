"""``python manage.py seed_demo``: a demo account to sign in to (idempotent).

Creates, once, an account with an alias, its root user, the groups Admins
(AdministratorAccess), Developers (AmazonEC2FullAccess) and ReadOnly (AmazonS3ReadOnlyAccess,
IAMReadOnlyAccess), a few IAM users (one of them must reset its password) and the role
EC2ReadOnlyRole (trusted by EC2, AmazonEC2ReadOnlyAccess attached), then prints how to sign in
as each. A second account, the lab account, stays empty: the articles' walkthrough starts in
it from nothing (its first step creates the group Developers, which the demo account already
has). Run it again and it changes nothing and prints the same.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Account, Identity
from accounts.services import account as account_services
from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from accounts.services import roles as role_services
from accounts.services import users as user_services
from accounts.services.paging import every_page
from accounts.signals import demo_account_seeded

ALIAS = "iamconsole-demo"
ROOT_EMAIL = "root@demo.iamconsole.test"
ROOT_PASSWORD = "Demo-Root-2026!"
LAB_ALIAS = "iamconsole-lab"
LAB_ROOT_EMAIL = "root@lab.iamconsole.test"
LAB_ROOT_PASSWORD = "Lab-Root-2026!"
# The classic setup: each group's AWS managed policies.
GROUPS = {
    "Admins": ("AdministratorAccess",),
    "Developers": ("AmazonEC2FullAccess",),
    "ReadOnly": ("AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess"),
}
# name, password, group, must reset at next sign-in
USERS = (
    ("alice", "Alice-Admin-2026!", "Admins", False),
    ("bob", "Bob-Developer-2026!", "Developers", False),
    ("carol", "Carol-ReadOnly-2026!", "ReadOnly", False),
    ("dave", "Dave-Temporary-2026!", "Developers", True),
)
# name, trusted service, AWS managed policies, description
ROLES = (
    (
        "EC2ReadOnlyRole",
        "ec2.amazonaws.com",
        ("AmazonEC2ReadOnlyAccess",),
        "Lets EC2 instances describe EC2 resources (read only).",
    ),
)


class Command(BaseCommand):
    help = "Create the demo account, groups and users (idempotent) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url, **options):
        account, created, extra_lines = self._seed(base_url)
        lab = self._seed_lab()
        # Printed after the commit: a reader that goes away (``seed_demo | head``) must not
        # roll the seed back.
        try:
            self._print(account, base_url.rstrip("/"), created, extra_lines)
            self._print_lab(lab, base_url.rstrip("/"))
            self.stdout.flush()
        except BrokenPipeError:
            pass

    @transaction.atomic
    def _seed(self, base_url):
        account = Account.objects.filter(alias=ALIAS).first()
        if account is None:
            root = account_services.create_account(
                email=ROOT_EMAIL, password=ROOT_PASSWORD, account_name="iamconsole demo"
            )
            account_services.create_account_alias(root, account_alias=ALIAS)
            created = True
        else:
            root = Identity.objects.get(account=account, kind=Identity.ROOT)
            created = False
        existing_groups = {g.group_name for g in every_page(group_services.list_groups, root)}
        for name, policy_names in GROUPS.items():
            if name not in existing_groups:
                group_services.create_group(root, group_name=name)
            attached = {
                row.policy_name
                for row in permission_services.list_group_permissions(root, group_name=name).rows
            }
            for policy_name in policy_names:
                if policy_name not in attached:
                    permission_services.attach_group_policy(
                        root, group_name=name, policy_arn=f"arn:aws:iam::aws:policy/{policy_name}"
                    )
        existing_users = {u.user_name for u in every_page(user_services.list_users, root)}
        for name, password, group, must_reset in USERS:
            if name in existing_users:
                continue
            user_services.console_create_user(
                root,
                user_name=name,
                console_access=True,
                custom_password=password,
                password_reset_required=must_reset,
                group_names=(group,),
            )
        existing_roles = {r.role_name for r in every_page(role_services.list_roles, root)}
        for name, service, policy_names, description in ROLES:
            if name not in existing_roles:
                role_services.create_role(
                    root,
                    role_name=name,
                    assume_role_policy_document=role_services.service_trust_policy(service),
                    description=description,
                )
            attached = {
                row.policy_name
                for row in permission_services.list_role_permissions(root, role_name=name).rows
            }
            for policy_name in policy_names:
                if policy_name not in attached:
                    permission_services.attach_role_policy(
                        root, role_name=name, policy_arn=f"arn:aws:iam::aws:policy/{policy_name}"
                    )
        # the other apps' demo data (EC2 instances, S3 buckets …) and their walkthrough lines
        extra_lines: list[str] = []
        demo_account_seeded.send(sender=self.__class__, root=root, base_url=base_url, lines=extra_lines)
        return Account.objects.get(pk=root.account_id), created, extra_lines

    @transaction.atomic
    def _seed_lab(self):
        """The lab account: a root user and an alias, nothing else (the walkthrough adds the rest)."""
        account = Account.objects.filter(alias=LAB_ALIAS).first()
        if account is None:
            root = account_services.create_account(
                email=LAB_ROOT_EMAIL, password=LAB_ROOT_PASSWORD, account_name="iamconsole lab"
            )
            account_services.create_account_alias(root, account_alias=LAB_ALIAS)
            account = Account.objects.get(pk=root.account_id)
        return account

    def _print_lab(self, lab, base_url):
        out = self.stdout
        out.write("")
        out.write(
            f"The lab account {lab.dashed_id} (alias {lab.alias}) is empty: follow the articles' walkthrough there."
        )
        out.write(
            f"  Root user:   email {LAB_ROOT_EMAIL}   password {LAB_ROOT_PASSWORD}   at {base_url}/signin/"
        )

    def _print(self, account, base_url, created, extra_lines=()):
        out = self.stdout
        out.write(
            ("Created" if created else "Found")
            + f" the demo account {account.dashed_id} (alias {account.alias})."
        )
        out.write("")
        out.write(f"Sign in at {base_url}/signin/")
        out.write(f"  Root user:   email {ROOT_EMAIL}   password {ROOT_PASSWORD}")
        out.write(
            f"  IAM users:   {base_url}{account.signin_path()}  (account {account.account_id} or {account.alias})"
        )
        for name, password, group, must_reset in USERS:
            note = "  (must choose a new password at sign-in)" if must_reset else ""
            policies = ", ".join(GROUPS[group])
            out.write(f"    {name:<6} password {password:<22} group {group} ({policies}){note}")
        for name, service, policy_names, _ in ROLES:
            out.write(f"  Role:        {name} (trusted by {service}; {', '.join(policy_names)})")
        for line in extra_lines:
            out.write(line)
