# The course's commands. On a fresh machine, `make book` then `make test` is all it takes.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BOOK_FLAGS := -W -n --keep-going

.PHONY: help env book test lab notebooks check-notebooks clean bench

help:
	@echo "make book       set everything up, execute the notebooks, build the HTML book"
	@echo "make test       run every test CI runs"
	@echo "make lab        open the notebooks in JupyterLab"
	@echo "make notebooks  regenerate and execute the .ipynb twins of the .md sources"
	@echo "make bench      time nwlib against statsmodels; writes benchmarks/results.md"

# The pinned course environment (constraints.txt holds the exact versions).
$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

env: $(STAMP)

# A failed build must not leave a cached environment behind that lets the next,
# unchanged build pass: drop the doctrees when Sphinx reports a problem.
book: env
	$(VENV)/bin/jupyter-book build . $(BOOK_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

test: env
	$(PY) tools/nbsync.py check
	$(PY) -m pytest

lab: env
	$(VENV)/bin/jupyter lab chapters/

notebooks: env
	$(PY) tools/nbsync.py build

bench: env
	$(PY) benchmarks/run.py

clean:
	rm -rf _build
