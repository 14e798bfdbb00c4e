"""Hostile: calls os._exit(0) while being imported, as if everything had passed.

expect-kata: 54
expect-words: ended early
"""

import os

os._exit(0)
