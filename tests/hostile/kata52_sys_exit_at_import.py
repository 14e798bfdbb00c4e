"""Hostile: calls sys.exit(0) while being imported, hoping an exit status of 0 reads as a pass.

expect-kata: 52
expect-words: sys.exit
"""

import sys

sys.exit(0)
