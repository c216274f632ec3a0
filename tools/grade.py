"""Grade learners' exercise notebooks with the exercises' own checks: a table of learner x task.

    make grade SUBMISSIONS=collected          # or: python tools/course.py grade collected
    .venv/bin/python tools/grade.py collected --out _build/grades --time-limit 300

``collected/`` holds one folder per learner, each with the exercise notebooks that learner
handed in, named as handed out (``collected/ada/parzen.ipynb``, ...). Each notebook runs
on its own, in a fresh temporary folder (its working directory and home), with a time
limit for the whole notebook and the book's per-cell limit, with no network, and with
errors allowed, so one task's mistake does not hide the next task's result. The
exercise's check cells print :class:`nwlib.course.feedback.Feedback` reports
("name: all checks passed.", "not done yet.", "not right yet." and their messages);
each task of the exercise (the reports the handed-out notebook prints, stored in
``exercises/NAME.ipynb``) becomes one row: passed, failed or not done, with the feedback.
A task whose check never reported (the notebook crashed, ran out of time or raised in
that cell) is failed, with the reason.

Written to ``--out`` (default ``_build/grades/``) by this process alone: ``grades.csv``
(learner, exercise, task, status, feedback) and ``summary.md`` (a learner x task table and
every message).

Isolation, and what it guarantees on each system:

- Every system: the notebook runs in a child process tree that is killed, all of it, at
  the time limit (psutil); its working directory, HOME, TMPDIR and Jupyter/IPython/
  matplotlib folders are a fresh temporary folder, removed afterwards; the environment
  holds no proxy settings, credentials or PYTHONPATH. Before the learner's first cell the
  kernel installs an audit hook (PEP 578; Python offers no way to remove one) that refuses
  writes, deletions and renames outside that folder, network connections and name
  look-ups, and starting programs. That stops a mistake or a curious learner; it is not a
  sandbox against a hostile one (native code loaded through ctypes is not audited).
- Linux, where ``unshare`` may create namespaces (root, or unprivileged user namespaces):
  the notebook and its kernel run in a network namespace with no interface, so no
  network at all, whatever the code does; the kernel talks to its client over Unix sockets.
- macOS and Windows: the audit hook is the network guard.
For hostile submissions, run the grader inside a container or virtual machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATUS = {"all checks passed": "passed", "not right yet": "failed", "not done yet": "not done"}
# What a check prints (Feedback.__repr__): a head line, then "  - message" lines.
REPORT = re.compile(r"^(\w+): (all checks passed|not done yet|not right yet)\.\n((?:  - .*\n?)*)",
                    re.MULTILINE)
# Kept from the instructor's environment: what Python and the kernel need to start.
KEEP = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "WINDIR", "COMSPEC",
        "PATHEXT", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE"}

# Runs in the kernel before the learner's first cell; ALLOWED is the notebook's own folder.
GUARD = r'''
def _install_grading_guard(allowed):
    import os, sys
    allowed = os.path.realpath(allowed)
    inside = lambda p: os.path.realpath(os.fsdecode(p)).startswith(allowed + os.sep) \
        or os.path.realpath(os.fsdecode(p)) in (allowed, os.devnull)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    paths = {"os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.rename": 2, "os.chmod": 1,
             "os.chown": 1, "os.link": 2, "os.symlink": 2, "os.truncate": 1, "os.utime": 1,
             "shutil.rmtree": 1, "shutil.copyfile": 2, "shutil.copytree": 2, "shutil.move": 2}
    refused = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
               "socket.gethostbyname", "socket.gethostbyaddr", "subprocess.Popen", "os.system",
               "os.exec", "os.posix_spawn", "os.spawn", "os.startfile", "os.fork", "os.forkpty")

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None:
                return
            writes = (mode is not None and any(c in str(mode) for c in "wax+")) \
                or (mode is None and flags & write_flags)
            if writes and not inside(path):
                raise PermissionError(f"grading: writing {path} is not allowed "
                                      f"(only inside the notebook's folder)")
        elif event in paths:
            for p in args[:paths[event]]:
                if isinstance(p, (str, bytes, os.PathLike)) and not inside(p):
                    raise PermissionError(f"grading: {event} on {os.fsdecode(p)} is not allowed")
        elif event.startswith(refused):
            if event == "socket.getaddrinfo" and args[0] in (None, "localhost", "127.0.0.1"):
                return
            if event in ("socket.connect", "socket.sendto") and args[0].family == getattr(
                    __import__("socket"), "AF_UNIX", None):
                return
            raise PermissionError(f"grading: {event} is not allowed (no network, no programs)")

    sys.addaudithook(hook)

_install_grading_guard(ALLOWED)
del _install_grading_guard
'''


@dataclass
class Result:
    """One task of one learner's notebook."""

    learner: str
    exercise: str
    task: str
    status: str  # passed, failed, not done
    feedback: str


@dataclass
class Run:
    """What became of one notebook: its check reports and why it stopped, if it did."""

    reports: dict = field(default_factory=dict)  # task -> (status, messages)
    stopped: str = ""  # empty when every cell ran
    errors: list = field(default_factory=list)  # (cell number, "Name: value")
    notebook: object = None  # the executed cells, as far as they ran


def expected_tasks(exercise: str) -> list[str]:
    """The tasks of an exercise: the reports its handed-out notebook printed."""
    import nbformat

    nb = nbformat.read(ROOT / "exercises" / f"{exercise}.ipynb", as_version=4)
    return list(dict.fromkeys(name for name, _ in _reports(nb)))


def _texts(cell) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append(out.get("text", ""))
        elif "text/plain" in out.get("data", {}):
            texts.append(out["data"]["text/plain"] + "\n")
    return texts


def _reports(nb) -> list[tuple[str, tuple[str, list[str]]]]:
    found = []
    for cell in nb.cells:
        for text in _texts(cell):
            for name, head, lines in REPORT.findall(text):
                messages = [line[4:] for line in lines.splitlines() if line.startswith("  - ")]
                found.append((name, (STATUS[head], messages)))
    return found


def read_run(nb, stopped: str = "") -> Run:
    """Check reports (the last one of each task) and errors of an executed notebook."""
    run = Run(reports=dict(_reports(nb)), stopped=stopped, notebook=nb)
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                run.errors.append((number, f"{out['ename']}: {out['evalue']}"))
    return run


def isolation_prefix() -> list[str]:
    """``unshare`` for a network namespace where this system allows it, else nothing."""
    unshare = shutil.which("unshare")
    if not unshare or not sys.platform.startswith("linux"):
        return []
    for flags in (["-n"], ["-rn"]):  # -n as root; -r maps an unprivileged user to root
        try:
            ok = subprocess.run([unshare, *flags, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if ok.returncode == 0:
            return [unshare, *flags]
    return []


def _environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() in KEEP}
    tmp = folder / "tmp"
    tmp.mkdir()
    for name in ("HOME", "USERPROFILE"):
        env[name] = str(folder)
    for name in ("TMPDIR", "TEMP", "TMP"):
        env[name] = str(tmp)
    env.update(IPYTHONDIR=str(folder / ".ipython"), MPLCONFIGDIR=str(folder / ".matplotlib"),
               JUPYTER_RUNTIME_DIR=str(folder / ".jupyter-runtime"),
               JUPYTER_CONFIG_DIR=str(folder / ".jupyter"), MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1", OMP_NUM_THREADS="1")
    return env


def _kill_tree(pid: int) -> None:
    import psutil

    try:
        parent = psutil.Process(pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)


def run_notebook(path: Path, time_limit: float, cell_limit: int, prefix: list[str]) -> Run:
    """Execute a copy of ``path`` in a fresh folder, in a child process; read what it printed."""
    import nbformat

    folder = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        work = folder / "work"
        work.mkdir()
        shutil.copyfile(path, work / "submission.ipynb")
        command = prefix + [sys.executable, str(Path(__file__).resolve()), "--worker",
                            str(work / "submission.ipynb"), "--cell-time-limit", str(cell_limit)]
        child = subprocess.Popen(command, cwd=work, env=_environment(work),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        stopped = ""
        try:
            log = child.communicate(timeout=time_limit)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            _kill_tree(child.pid)
            child.communicate()
            stopped = f"the notebook did not finish within the time limit ({time_limit:g} s)"
        else:
            outcome = work / "outcome.txt"
            if outcome.exists():
                stopped = outcome.read_text(encoding="utf-8")
            elif child.returncode != 0:
                last = [line for line in log.splitlines() if line.strip()][-1:] or ["no output"]
                stopped = f"the notebook stopped: {last[0][:300]}"
        executed = work / "executed.json"
        if not executed.exists():
            return Run(stopped=stopped or "the notebook could not be run")
        nb = nbformat.reads(executed.read_text(encoding="utf-8"), as_version=4)
        return read_run(nb, stopped)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _worker(notebook: Path, cell_limit: int) -> int:
    """In the child: run the notebook with the guard first; save each cell as it finishes."""
    import asyncio

    import nbclient_fix  # noqa: F401  (tools/ is this script's folder)
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_code_cell

    folder = notebook.parent
    out = folder / "executed.json"
    nb = nbformat.read(notebook, as_version=4)
    learner_cells = list(nb.cells)
    nb.cells.insert(0, new_code_cell(GUARD.replace("ALLOWED", repr(str(folder)))))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    # Unix sockets where available: a network namespace without interfaces still has them.
    transport = {"transport": "ipc", "ip": str(folder / "k")} if os.name == "posix" else {}
    km = AsyncKernelManager(kernel_name="python3", **transport)
    client = NotebookClient(nb, km=km, timeout=cell_limit, allow_errors=True,
                            kernel_name="python3", resources={"metadata": {"path": str(folder)}})

    def save():
        saved = nbformat.from_dict(dict(nb, cells=learner_cells))
        out.write_text(nbformat.writes(saved), encoding="utf-8")

    original = client.async_execute_cell
    current = [0]

    async def execute_and_save(cell, index, **kwargs):
        current[0] = sum(c.cell_type == "code" for c in nb.cells[1:index + 1])
        try:
            return await original(cell, index, **kwargs)
        finally:
            save()  # what ran so far survives a time limit or a dead kernel

    client.async_execute_cell = execute_and_save
    save()
    try:
        asyncio.run(client.async_execute())
    except Exception as error:  # a dead kernel, a cell past its limit: say which, keep the rest
        if isinstance(error, CellTimeoutError):
            why = f"cell {current[0]} ran past the per-cell time limit ({cell_limit} s)"
        elif isinstance(error, DeadKernelError):
            why = f"the kernel died in cell {current[0]} (DeadKernelError)"
        else:
            why = f"cell {current[0]}: {type(error).__name__}: {str(error)[:300]}"
        (folder / "outcome.txt").write_text("the notebook stopped: " + why, encoding="utf-8")
        return 1
    return 0


def grade(submissions: Path, time_limit: float, cell_limit: int,
          exercises: list[str] | None = None, prefix: list[str] | None = None) -> list[Result]:
    """Run every ``submissions/LEARNER/EXERCISE.ipynb``; one result per learner and task."""
    prefix = isolation_prefix() if prefix is None else prefix
    for stray in sorted(submissions.glob("*.ipynb")):
        print(f"skipped {stray}: put each learner's notebooks in a folder named after them",
              file=sys.stderr)
    known = sorted(p.stem for p in (ROOT / "exercises").glob("*.ipynb"))
    results = []
    for learner_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for path in sorted(learner_dir.glob("*.ipynb")):
            exercise = path.stem
            if exercise not in known or (exercises and exercise not in exercises):
                print(f"skipped {path}: not one of the exercises {known}", file=sys.stderr)
                continue
            print(f"grading {learner_dir.name}/{path.name}", flush=True)
            run = run_notebook(path, time_limit, cell_limit, prefix)
            results += _rows(learner_dir.name, exercise, expected_tasks(exercise), run)
    return results


def _rows(learner: str, exercise: str, tasks: list[str], run: Run) -> list[Result]:
    rows = []
    for task in tasks:
        if task in run.reports:
            status, messages = run.reports[task]
            text = " ".join(messages)
        else:
            status = "failed"
            reasons = [run.stopped] if run.stopped else []
            reasons += [f"cell {n} raised {e}" for n, e in run.errors[:3]]
            text = "its check did not report: " + ("; ".join(reasons) or "the check cell is missing")
        rows.append(Result(learner, exercise, task, status, text))
    return rows


MARK = {"passed": "passed", "failed": "FAILED", "not done": "-"}


def write_tables(results: list[Result], out: Path, isolation: str) -> None:
    """``grades.csv`` and ``summary.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", "exercise", "task", "status", "feedback"])
        for r in results:
            writer.writerow([r.learner, r.exercise, r.task, r.status, r.feedback])
    columns = list(dict.fromkeys(f"{r.exercise}: {r.task}" for r in results))
    learners = list(dict.fromkeys(r.learner for r in results))
    cell = {(r.learner, f"{r.exercise}: {r.task}"): r.status for r in results}
    lines = ["# Grades", "", f"{len(learners)} learners, {len(columns)} tasks. {isolation}", "",
             "| learner | " + " | ".join(columns) + " | passed |",
             "|---" * (len(columns) + 2) + "|"]
    for learner in learners:
        marks = [MARK.get(cell.get((learner, c), ""), "") for c in columns]
        passed = sum(cell.get((learner, c)) == "passed" for c in columns)
        lines.append(f"| {learner} | " + " | ".join(marks) + f" | {passed} |")
    lines += ["", "## Feedback", ""]
    for r in results:
        if r.feedback:
            lines.append(f"- **{r.learner}**, {r.exercise}: {r.task} ({r.status}): {r.feedback}")
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from nbclient_fix import configured_timeout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, nargs="?",
                        help="a folder with one folder of .ipynb files per learner")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades")
    parser.add_argument("--time-limit", type=float, default=600,
                        help="seconds for a whole notebook (default 600)")
    parser.add_argument("--cell-time-limit", type=int, default=None,
                        help="seconds for one cell (default: the book's, _config.yml)")
    parser.add_argument("--exercise", action="append", help="grade only this exercise")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cell_limit = args.cell_time_limit or configured_timeout(ROOT)
    if args.worker:
        return _worker(args.worker, cell_limit)
    if args.submissions is None or not args.submissions.is_dir():
        parser.error("give the folder of collected notebooks (one folder per learner)")
    prefix = isolation_prefix()
    isolation = ("Network: none (a network namespace, via unshare)." if prefix else
                 "Network: refused by the kernel's audit hook (no namespace on this system).")
    results = grade(args.submissions.resolve(), args.time_limit, cell_limit, args.exercise, prefix)
    write_tables(results, args.out, isolation)
    counts = {s: sum(r.status == s for r in results) for s in ("passed", "failed", "not done")}
    print(f"{len(results)} tasks: " + ", ".join(f"{n} {s}" for s, n in counts.items())
          + f". Wrote {args.out / 'grades.csv'} and {args.out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
