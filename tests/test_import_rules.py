"""Who may import whom: the contracts in pyproject.toml ``[tool.importlinter]`` hold.

``lint-imports`` (import-linter) reads them and checks the real import graph of
queue_server, kiosk and displays, including imports inside functions.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    # The venv's own lint-imports, next to the interpreter running the tests.
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, "import-linter is not installed: pip install -e '.[dev]'"
    done = subprocess.run([command, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
