"""``python -m accounts.policy simulate-custom-policy --cli-input-json file://case.json``."""

import sys

from .simulate import main

if __name__ == "__main__":
    sys.exit(main())
