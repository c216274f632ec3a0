# The course's commands. On a fresh machine, `make book` then `make test` is all it takes.
# Each goal runs `python tools/course.py GOAL`, the one implementation, which also works
# where there is no make or bash (Windows: `py tools\course.py book`). Goals that are
# already up to date are skipped there, as make would.
PYTHON ?= python3
COURSE = $(PYTHON) tools/course.py
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help preflight env assets browser book pdf dist test unit lint lab notebooks student grade clean bench

help:
	@echo "make book       set everything up, execute the notebooks, build the HTML book"
	@echo "make test       run every test CI runs"
	@echo "make pdf        the whole book as one PDF (_build/pdf/), typeset by Chromium"
	@echo "make dist       the site as one zip for offline readers (_build/dist/)"
	@echo "make student    the student edition, without solutions (_build/student/)"
	@echo "make grade SUBMISSIONS=folder   run learners' exercise notebooks and tabulate their checks"
	@echo "make unit       the library's tests and doctests only (no book, no notebooks)"
	@echo "make lint       ruff: pyflakes, import order, NumPy docstrings, bugbear, style (pyproject.toml)"
	@echo "make lab        open the notebooks in JupyterLab"
	@echo "make notebooks  regenerate and execute the .ipynb twins of the .md sources"
	@echo "make bench      time nwlib against statsmodels and brute force; writes benchmarks/results*.md"
	@echo "Without make:   python tools/course.py GOAL   (the same goals)"

# `make unit` and `make lint` need only the `dev` extra (no book stack); `make unit
# TORCH_INDEX=https://download.pytorch.org/whl/cpu` takes torch's CPU build instead of the
# CUDA wheels (tools/course.py dev_env).
preflight env assets browser book pdf dist test unit lint lab notebooks student clean bench:
	@command -v $(PYTHON) >/dev/null || { echo "$@: $(PYTHON) is not on the PATH: install Python >= 3.11, or run make PYTHON=/path/to/python3" >&2; exit 1; }
	@$(COURSE) $@

# SUBMISSIONS: one folder per learner of collected notebooks; GRADE_ARGS: the grader's
# options (tools/grade.py --help), e.g. GRADE_ARGS="--time-limit 120".
SUBMISSIONS ?= submissions
grade:
	@$(COURSE) grade $(SUBMISSIONS) $(GRADE_ARGS)
