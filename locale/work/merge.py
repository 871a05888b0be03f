"""Kept for the translators' instructions: the catalogue is built by locale/catalogue.py now
(on a copy of the sources, so that nothing in the working tree is rewritten).

    .venv/bin/python locale/work/merge.py [--locale-dir DIR]
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent.parent / "catalogue.py"), run_name="__main__")
