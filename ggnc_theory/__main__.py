"""python -m ggnc_theory"""

import sys

from .cli import main

sys.exit(main())
