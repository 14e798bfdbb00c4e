"""Hostile: prints a fake pytest summary and a fake board line while being imported, then exits with status 0.

expect-kata: 55
expect-words: sys.exit()
"""

import sys

print("========================= 10 passed in 0.42s =========================")
print("✓ 55 A pipeline of threads and queues        10/10 claims  10/10 pts    0.4 s")
sys.exit(0)
