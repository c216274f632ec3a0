# The course's commands. On a fresh machine, `make book` then `make test` is all it takes.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BOOK_FLAGS := -W -n --keep-going

.PHONY: help env assets browser book test lab notebooks check-notebooks clean bench

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

# The JavaScript the pages load (MathJax, the ipywidgets HTML manager, require.js) is
# served by the site itself: package-lock.json pins it, and only what the pages load is
# copied into vendor-assets/ (a Sphinx static path; not `_static/`, which jupyter-book
# would inject into every page). Of the widget fonts only woff2/woff are copied: every
# current browser takes them, and the legacy formats would add 2.5 MB.
NPM_STAMP := node_modules/.installed
VENDOR := vendor-assets/vendor
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

vendor-assets/.copied: $(NPM_STAMP)
	rm -rf vendor-assets && mkdir -p $(VENDOR)/mathjax/input $(VENDOR)/mathjax/output $(VENDOR)/html-manager $(VENDOR)/requirejs
	cp node_modules/mathjax/es5/tex-chtml.js $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/{a11y,adaptors,sre,ui} $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/input/tex $(VENDOR)/mathjax/input/
	cp -r node_modules/mathjax/es5/output/chtml $(VENDOR)/mathjax/output/
	cp node_modules/@jupyter-widgets/html-manager/dist/{embed-amd.js,*.woff2,*.woff} $(VENDOR)/html-manager/
	cp node_modules/requirejs/require.js $(VENDOR)/requirejs/
	touch $@

assets: vendor-assets/.copied

# The browser test drives Debian's Chromium (Playwright's own download needs the internet).
browser:
	test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }

# A failed build must not leave a cached environment behind that lets the next,
# unchanged build pass: drop the doctrees when Sphinx reports a problem.
book: env assets
	$(PY) tools/jupyter_book_cli.py build . $(BOOK_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

# The browser test reads the built site, so the book is built first.
test: book browser
	$(PY) tools/make_exercises.py check
	$(PY) tools/nbsync.py check
	$(PY) -m pytest

# JupyterLab at the project root on the course environment, with the course's learner
# settings (lab/settings/overrides.json); its state stays in _build/lab (tools/lab.py).
lab: env
	$(PY) tools/lab.py

notebooks: env
	$(PY) tools/make_exercises.py build
	$(PY) tools/nbsync.py build

bench: env
	$(PY) benchmarks/run.py

clean:
	rm -rf _build vendor-assets
