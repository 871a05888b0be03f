"""``python manage.py reset_account ACCOUNT_ID``: empty an account between classes.

Deletes every IAM user, group, role, customer managed policy, instance profile, virtual MFA
device, temporary credential, the root user's access keys, the alias and the password policy
of the account, in one transaction, audited as the root user's iamconsole:ResetAccount; the
account and its root user (password and MFA) stay. Asks for the account ID again unless
``--no-input``.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Identity
from accounts.services import account as account_services


class Command(BaseCommand):
    help = "Delete every IAM entity, policy, credential and alias of an account (the account and root stay)."

    def add_arguments(self, parser):
        parser.add_argument("account_id")
        parser.add_argument("--no-input", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, account_id, no_input, **options):
        root = (
            Identity.objects.select_related("account")
            .filter(account_id=account_id, kind=Identity.ROOT)
            .first()
        )
        if root is None:
            raise CommandError(f"No account {account_id}.")
        if not no_input:
            answer = input(
                f"Reset account {account_id} ({root.account.name})? Type the account ID to confirm: "
            )
            if answer.strip() != account_id:
                raise CommandError("Not confirmed; nothing was deleted.")
        counts = account_services.reset_account(root)
        deleted = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n)
        self.stdout.write(f"Account {account_id} reset: {deleted or 'it was already empty'}.")
