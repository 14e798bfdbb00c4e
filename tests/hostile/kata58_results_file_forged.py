"""Hostile: finds the grader's results file on the command line, writes records of a full pass, and exits.

expect-kata: 58
expect-words: tampered
"""

import json
import os
import sys

if "--results-json" in sys.argv:
    path = sys.argv[sys.argv.index("--results-json") + 1]
    with open(path, "w") as out:
        out.write(json.dumps({"event": "collected", "claims": 1}) + "\n")
        out.write(json.dumps({"event": "claim", "name": "test_everything", "status": "passed"}) + "\n")
        out.write(json.dumps({"event": "finished", "exitstatus": 0}) + "\n")
    os._exit(0)
