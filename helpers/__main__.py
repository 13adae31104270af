"""``python -m helpers NAME ...``: the course's commands (see helpers/cli/)."""

import sys

from helpers.cli import main

sys.exit(main())
