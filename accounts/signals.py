"""Signals other apps of the project connect to (``accounts`` never imports them).

``demo_account_seeded(sender, root, base_url, lines)``: ``manage.py seed_demo`` has created (or
found) the demo account; a receiver adds its own demo data (idempotently, as the root user)
and appends the lines it wants printed to ``lines`` (a list of strings).
"""

from django.dispatch import Signal

demo_account_seeded = Signal()
