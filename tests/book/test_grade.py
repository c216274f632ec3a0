"""tools/grade.py: learners' notebooks run in isolation, and their checks become a table.

One exercise (shared-projections, the cheapest to run), five learners: the worked
solution (every task passes), the handed-out notebook (every task not done), a typical
mistake together with a write outside the notebook's folder and a network call, a
notebook that loops forever, and one whose kernel dies. One grading run, shared.
"""

from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from exercise_runs import ROOT, filled_in, handed_out

EXERCISE = "shared-projections"
TIME_LIMIT = 60  # seconds per notebook; the looping one costs this much
CELL_LIMIT = 120  # seconds per cell: above, so the notebook's limit is the one tested
GRADER = ROOT / "tools" / "grade.py"


def _with_cells(nb, *sources, before=None):
    """A copy of ``nb`` with code cells inserted before the cell whose source holds ``before``."""
    nb = copy.deepcopy(nb)
    at = next((i for i, c in enumerate(nb.cells) if before and before in c.source), len(nb.cells))
    nb.cells[at:at] = [new_code_cell(s) for s in sources]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    instructor = base / "instructor-notes.txt"
    instructor.write_text("the instructor's file\n")
    solution, handout = filled_in(EXERCISE), handed_out(EXERCISE)
    # The typical mistake: the keys projected with W_q too (a symmetric score matrix).
    mistake = copy.deepcopy(solution)
    cell = next(c for c in mistake.cells if "def score_matrix(" in c.source)
    cell.source = ("def score_matrix(x, w_q, w_k):\n    return (x @ w_q.T) @ (x @ w_q.T).T\n\n"
                   + cell.source.replace("def score_matrix(", "def _their_first_try("))
    mistake = _with_cells(
        mistake,
        f"open({str(instructor)!r}, 'w').write('overwritten')",
        f"import shutil; shutil.rmtree({str(base / 'submissions')!r})",
        "import urllib.request; urllib.request.urlopen('http://example.org', timeout=5)",
        "open('notes.txt', 'w').write('a file in its own folder is fine')",
    )
    # Sleeping, not spinning: the same time limit, without burning a core for a minute.
    looping = _with_cells(solution, "import time\nwhile True:\n    time.sleep(1)",
                          before="check_not_a_kernel(")
    dying = _with_cells(solution, "import os; os._exit(3)", before="check_not_a_kernel(")
    submissions = base / "submissions"
    for learner, nb in [("ada", solution), ("ben", handout), ("cy", mistake),
                        ("dee", looping), ("eve", dying)]:
        (submissions / learner).mkdir(parents=True)
        nbformat.write(nb, submissions / learner / f"{EXERCISE}.ipynb")
    before = {p: p.read_bytes() for p in submissions.rglob("*") if p.is_file()}
    out = base / "grades"
    run = subprocess.run([sys.executable, str(GRADER), str(submissions), "--out", str(out),
                          "--time-limit", str(TIME_LIMIT), "--cell-time-limit", str(CELL_LIMIT)],
                         capture_output=True, text=True, timeout=20 * TIME_LIMIT)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    table = {(r["learner"], r["task"]): r for r in rows}
    return dict(table=table, rows=rows, out=out, instructor=instructor, before=before,
                log=run.stdout)


TASKS = ["score_matrix", "distinct_projections"]


def test_the_solution_passes_every_task(graded):
    assert [graded["table"][("ada", t)]["status"] for t in TASKS] == ["passed", "passed"]


def test_the_handed_out_notebook_is_not_done(graded):
    assert [graded["table"][("ben", t)]["status"] for t in TASKS] == ["not done", "not done"]


def test_a_mistake_fails_with_the_checks_message(graded):
    row = graded["table"][("cy", "score_matrix")]
    assert row["status"] == "failed" and row["feedback"]  # the check's own explanation
    assert graded["table"][("cy", "distinct_projections")]["status"] == "passed"


def test_nothing_outside_the_notebooks_folder_is_touched(graded):
    assert graded["instructor"].read_text() == "the instructor's file\n"
    for path, content in graded["before"].items():
        assert path.read_bytes() == content


def test_a_loop_and_a_dead_kernel_fail_their_task_and_the_run_goes_on(graded):
    table = graded["table"]
    for learner in ("dee", "eve"):
        assert table[(learner, "score_matrix")]["status"] == "passed"  # before the trouble
        row = table[(learner, "distinct_projections")]
        assert row["status"] == "failed" and "did not report" in row["feedback"]
    assert f"did not finish within the time limit ({TIME_LIMIT} s)" in \
        table[("dee", "distinct_projections")]["feedback"]
    assert "the kernel died in cell" in table[("eve", "distinct_projections")]["feedback"]
    # The looping kernel was killed with its notebook: no process of a grading run is left.
    import psutil

    left = [p.info for p in psutil.process_iter(["pid", "cmdline"])
            if any("grade-" in part for part in (p.info["cmdline"] or []))]
    assert left == []


def test_the_summary_reads_as_a_table(graded):
    text = (graded["out"] / "summary.md").read_text(encoding="utf-8")
    assert "| learner | shared-projections: score_matrix | shared-projections: " \
           "distinct_projections | passed |" in text
    assert "| ada | passed | passed | 2 |" in text and "| ben | - | - | 0 |" in text
    assert len(graded["rows"]) == 10


def test_the_guard_refuses_writes_network_and_programs(tmp_path):
    # The kernel-side guard alone, in a plain Python process: what it refuses and allows.
    from tools import grade

    code = grade.GUARD.replace("ALLOWED", repr(str(tmp_path))) + """
import os, socket, subprocess
def refused(f):
    try:
        f()
    except PermissionError as e:
        return "grading:" in str(e)
    return False
print(refused(lambda: open(os.path.join(os.path.dirname(ALLOWED_DIR), 'x'), 'w')),
      refused(lambda: socket.create_connection(('192.0.2.1', 80), timeout=1)),
      refused(lambda: socket.getaddrinfo('example.org', 80)),
      refused(lambda: subprocess.run(['true'])),
      refused(lambda: os.remove(os.path.join(os.path.dirname(ALLOWED_DIR), 'y'))))
open(os.path.join(ALLOWED_DIR, 'ok.txt'), 'w').write('fine')
""".replace("ALLOWED_DIR", repr(str(tmp_path)))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.stdout.split() == ["True"] * 5, r.stderr
    assert (tmp_path / "ok.txt").read_text() == "fine"
    assert not os.path.exists(tmp_path.parent / "x")


def test_on_linux_the_kernel_has_no_network_interface(tmp_path):
    from tools import grade

    prefix = grade.isolation_prefix()
    if not prefix:
        pytest.skip("unshare cannot create a network namespace here: the audit hook is the guard")
    nb = nbformat.v4.new_notebook(cells=[new_code_cell(
        "import os, socket\nprint(os.readlink('/proc/self/ns/net'), socket.if_nameindex())")])
    nbformat.write(nb, tmp_path / "probe.ipynb")
    run = grade.run_notebook(tmp_path / "probe.ipynb", TIME_LIMIT, 30, prefix)
    (out,) = run.notebook.cells[0].outputs
    namespace, interfaces = out["text"].split(" ", 1)
    assert namespace != os.readlink("/proc/self/ns/net")  # not the instructor's network
    assert interfaces.strip() == "[(1, 'lo')]"  # loopback only, and it is down
