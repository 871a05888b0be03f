"""The SigV4 verifier's tests need no Django and no database.

The repository root is put on ``sys.path`` so that ``accounts.api.sigv4`` and the helpers
import even when pytest runs with ``-p no:django`` (pytest-django would otherwise do it).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
