"""Start JupyterLab on the course the way a learner should see it (``make lab``).

- The file browser's root is the project root, so chapters, exercises and solutions are
  all reachable; the first chapter opens at start.
- The kernel is the course environment's Python (``JUPYTER_PREFER_ENV_PATH``: a
  ``python3`` kernel a learner registered for another Python does not shadow it).
- The learner settings in ``lab/settings/overrides.json`` apply (no news prompt, no update
  check, ...). JupyterLab's own state (settings the learner changes, workspaces) lives in
  ``_build/lab/``: the learner's own ``~/.jupyter`` is neither read nor written.
- Notebooks open as the ``.ipynb`` files the book offers for download. jupytext's pairing
  is off here: a learner working an exercise must not rewrite the ``.md`` sources.

The browser test (tests/book/test_jupyterlab.py) starts JupyterLab through
:func:`lab_command` and :func:`lab_environment`, so it tests what ``make lab`` runs.

    python tools/lab.py            # what `make lab` runs
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "lab" / "settings"
STATE = ROOT / "_build" / "lab"
FIRST_PAGE = "chapters/kernels.ipynb"


def lab_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment JupyterLab runs in: ``base`` (default ``os.environ``) plus the course's."""
    env = dict(os.environ if base is None else base)
    env.update(
        JUPYTER_PREFER_ENV_PATH="1",
        # An empty, project-local config folder: the learner's own jupyter config cannot
        # change the course (a password, another contents manager), and nothing is written
        # into ~/.jupyter.
        JUPYTER_CONFIG_DIR=str(STATE / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(STATE / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(STATE / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(STATE / "runtime"),
    )
    return env


def lab_command(*, port: int | None = None, token: str | None = None,
                browser: bool = True, open_page: str | None = FIRST_PAGE) -> list[str]:
    """The ``jupyter lab`` command line; ``port``/``token``/``browser`` are for the test."""
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={ROOT}",
        f"--LabApp.app_settings_dir={SETTINGS}",
        # No call to the internet: the news feed and the update check are off.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # Extensions come from requirements.txt, not from PyPI searches in the browser.
        "--LabApp.extension_manager=readonly",
        "--ServerApp.jpserver_extensions=jupyterlab_jupytext=False",
    ]
    if port is not None:
        command += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                    "--ServerApp.ip=127.0.0.1"]
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # a container's only user; Jupyter refuses root otherwise
    if not browser:
        command.append("--no-browser")
    if open_page:
        command.append(str(ROOT / open_page))
    return command


def main() -> int:
    STATE.mkdir(parents=True, exist_ok=True)
    command = lab_command()
    os.execve(command[0], command, lab_environment())


if __name__ == "__main__":
    sys.exit(main())
