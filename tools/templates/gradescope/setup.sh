#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# It installs the graders into /autograder/source/.venv with Python 3.11 or newer.
set -euo pipefail
cd /autograder/source

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [ -z "$python" ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
    python=python3.11
fi
if ! "$python" -m venv .venv; then
    # Debian and Ubuntu ship venv's ensurepip apart, as python3.X-venv.
    version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "python${version}-venv"
    rm -rf .venv
    "$python" -m venv .venv
fi
.venv/bin/pip install -q -e .
.venv/bin/python -m tools.gradescope --help >/dev/null
