# The course's commands. On a fresh machine, `make book` then `make test` is all it takes.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BOOK_FLAGS := -W -n --keep-going

.PHONY: help preflight env assets browser book pdf dist test unit lint lab notebooks check-notebooks clean bench

help:
	@echo "make book       set everything up, execute the notebooks, build the HTML book"
	@echo "make test       run every test CI runs"
	@echo "make pdf        the whole book as one PDF (_build/pdf/), typeset by Chromium"
	@echo "make dist       the site as one zip for offline readers (_build/dist/)"
	@echo "make unit       the library's tests and doctests only (no book, no notebooks)"
	@echo "make lint       ruff: pyflakes, import order, NumPy docstrings"
	@echo "make lab        open the notebooks in JupyterLab"
	@echo "make notebooks  regenerate and execute the .ipynb twins of the .md sources"
	@echo "make bench      time nwlib against statsmodels; writes benchmarks/results.md"

# Before any download, name what the machine lacks (Python >= 3.11, its venv module,
# and npm when the goal builds the book): tools/preflight.py, in a second.
NEEDS_NPM := $(filter book test assets pdf dist,$(MAKECMDGOALS))
preflight:
	@command -v $(PYTHON) >/dev/null || { echo "preflight: $(PYTHON) is not on the PATH: install Python >= 3.11, or run make PYTHON=/path/to/python3" >&2; exit 1; }
	@$(PYTHON) tools/preflight.py $(if $(NEEDS_NPM),--npm)

# The pinned course environment (constraints.txt holds the exact versions).
$(STAMP): requirements.txt constraints.txt pyproject.toml | preflight
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

env: preflight $(STAMP)

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

vendor-assets/.copied: $(NPM_STAMP) $(wildcard third-party/*/LICENSE)
	rm -rf vendor-assets && mkdir -p $(VENDOR)/mathjax/input $(VENDOR)/mathjax/output $(VENDOR)/html-manager $(VENDOR)/requirejs
	cp node_modules/mathjax/es5/tex-chtml.js $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/{a11y,adaptors,sre,ui} $(VENDOR)/mathjax/
	cp -r node_modules/mathjax/es5/input/tex $(VENDOR)/mathjax/input/
	cp -r node_modules/mathjax/es5/output/chtml $(VENDOR)/mathjax/output/
	cp node_modules/@jupyter-widgets/html-manager/dist/{embed-amd.js,*.woff2,*.woff} $(VENDOR)/html-manager/
	cp node_modules/requirejs/require.js $(VENDOR)/requirejs/
	# Each library's licence travels with it into the site (and the zip and PDF readers get).
	# Only MathJax's npm package holds its licence file; the others are in third-party/.
	cp node_modules/mathjax/LICENSE $(VENDOR)/mathjax/LICENSE
	cp third-party/html-manager/LICENSE $(VENDOR)/html-manager/LICENSE
	cp third-party/fontawesome/LICENSE $(VENDOR)/html-manager/LICENSE-fonts
	cp node_modules/@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt $(VENDOR)/html-manager/THIRD-PARTY-NOTICES
	cp third-party/requirejs/LICENSE $(VENDOR)/requirejs/LICENSE
	touch $@

assets: vendor-assets/.copied

# The browser tests find Chromium through NW_CHROMIUM, the PATH or Playwright's own download
# (tests/book/chromium.py). Only as root on Debian/Ubuntu does this install one; otherwise it
# says how to get one, and the browser tests skip with the same message (fail under CI=true).
browser: env
	@$(PY) tests/book/chromium.py || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && apt-get install -y chromium; \
	else \
		echo "make browser: no Chromium and no root to install one. Set NW_CHROMIUM=/path/to/chromium," \
		     "or run: $(VENV)/bin/playwright install chromium"; \
	fi

# A failed build must not leave a cached environment behind that lets the next,
# unchanged build pass: drop the doctrees when Sphinx reports a problem.
book: env assets
	$(PY) tools/jupyter_book_cli.py build . $(BOOK_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

# The whole book as one PDF, typeset by the browser (no TeX): a single-page HTML build,
# printed by headless Chromium once MathJax has finished (tools/print_pdf.py).
PDF := _build/pdf/attention-pooling-course.pdf
pdf: book
	$(PY) tools/jupyter_book_cli.py build . --builder singlehtml $(BOOK_FLAGS)
	$(PY) tools/print_pdf.py _build/singlehtml $(PDF)

# The self-contained site as one zip for offline readers: unzip, open index.html.
DIST := _build/dist/attention-pooling-course.zip
dist: book
	$(PY) tools/make_dist.py _build/html $(DIST)

# The browser test reads the built site, so the book is built first. The PDF needs a
# browser too: without one its tests skip with the browser tests (fail under CI=true).
test: lint book browser dist
	@if $(PY) tests/book/chromium.py >/dev/null; then $(MAKE) --no-print-directory pdf; \
	else echo "make test: no Chromium, so no PDF (tests/book/chromium.py says how to get one)"; fi
	$(PY) tools/make_exercises.py check
	$(PY) tools/nbsync.py check
	$(PY) -m pytest -rs --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

# The library alone: its tests and doctests, no notebook, no book build, no slow suite
# (make test runs those). Needs only the `dev` extra: no book stack. For torch's CPU build
# instead of the CUDA wheels: make unit TORCH_INDEX=https://download.pytorch.org/whl/cpu
DEV_STAMP := $(VENV)/.installed-dev
$(DEV_STAMP): pyproject.toml constraints.txt | preflight
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt setuptools
	$(PY) -m pip install --quiet -c constraints.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) \
		--no-build-isolation -e '.[dev]'
	touch $@

unit: $(DEV_STAMP)
	$(PY) -m pytest -m "not slow" tests/lib nwlib

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

# JupyterLab at the project root on the course environment, with the course's learner
# settings (lab/settings/overrides.json); its state stays in _build/lab (tools/lab.py).
lab: env
	$(PY) tools/lab.py

notebooks: env
	$(PY) tools/make_exercises.py build
	$(PY) tools/nbsync.py build

# The Scaling up page includes results.md, and its notebook twin carries the included text.
bench: env
	$(PY) benchmarks/run.py
	$(PY) tools/nbsync.py refresh chapters/scaling-up.md

clean:
	rm -rf _build vendor-assets
