"""Signals other apps of the project connect to (``accounts`` never imports them).

``demo_account_seeded(sender, root, base_url, lines)``: ``manage.py seed_demo`` has created (or
found) the demo account; a receiver adds its own demo data (idempotently, as the root user)
and appends the lines it wants printed to ``lines`` (a list of strings).

``account_reset(sender, account_id, counts)``: the account is being emptied for the next class
(inside the reset's transaction); a receiver deletes its own resources of the account (EC2
instances, S3 buckets …) and adds what it deleted to ``counts`` (a dict, kind → number).
"""

from django.dispatch import Signal

demo_account_seeded = Signal()
account_reset = Signal()
