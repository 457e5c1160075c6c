# relubook: two commands do all the set-up on a fresh machine.
#   make book   create .venv, install the pinned environment, build _build/html (every chapter executed)
#   make test   same set-up, then unit tests, a build failing on any warning, nbval over the generated
#               student notebooks, and the student edition with its leak tests
SHELL  := /bin/bash
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
JB     := $(BIN)/jupyter-book
# torch is pinned to 2.13.0.  By default pip takes it from PyPI or a local wheelhouse (the
# project's CI machines have the CPU wheel on disk).  On a CPU-only machine elsewhere,
# `make book TORCH_INDEX=https://download.pytorch.org/whl/cpu` avoids gigabytes of CUDA wheels.
TORCH_INDEX ?=
PIP_INDEX   := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
PORT ?= 8000

# constraints.txt is the full lock of the tested environment (every transitive package);
# regenerate it with `make lock` after changing requirements.txt.
lock: venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^relubook' | sed 's/+cpu$$//' > constraints.txt
	$(BIN)/python -m bookkit.binder .

.PHONY: lock venv book book-all test test-unit test-nb test-build serve bench clean distclean
.PHONY: vendor test-browser pdf pdf-deps notebooks lab binder-env

venv: $(VENV)/.stamp

$(VENV)/.stamp: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(PIP_INDEX) -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# jupyter-cache keys on notebook code only: a change to relubook/*.py must re-execute the chapters.
_build/.relubook.stamp: $(wildcard relubook/*.py relubook/*/*.py) | venv
	rm -rf _build/.jupyter_cache _build/.doctrees _build/student/_build/.doctrees
	mkdir -p _build && touch $@

# Offline pages: MathJax, require.js and the widget manager, pinned and fetched once from the npm
# registry into _build/vendor (html_static_path in _config.yml); needs npm.
vendor: _build/vendor/.stamp

_build/vendor/.stamp: tools/vendor_js.sh tools/widgets-offline.js
	bash tools/vendor_js.sh _build/vendor

book: venv vendor _build/.relubook.stamp
	$(JB) build . -W --keep-going -n

book-all: venv vendor _build/.relubook.stamp
	$(JB) build . --all -W --keep-going -n

# The student edition: the same book without solutions, teaching notes, instructors' page or launch
# buttons, built from a stripped copy of the sources (bookkit/editions.py) that shares the full
# book's execution cache.  Output: _build/student/_build/html.
.PHONY: book-student test-student
STUDENT := _build/student
book-student: venv vendor _build/.relubook.stamp notebooks
	$(BIN)/python -m bookkit.editions student-src . $(STUDENT)/src
	$(JB) build $(STUDENT)/src --path-output $(STUDENT) -W --keep-going -n

test: test-unit test-build test-nb test-student

test-unit: venv
	$(BIN)/python -m pytest tests -q

# The notebook edition (bookkit/notebooks.py): one plain .ipynb per chapter for each edition, glued
# numbers from the executed build (make book's jupyter-cache, so nothing runs again), a zip of each
# edition, and each built site's download button offering its edition's notebook.
NOTEBOOKS := _build/notebooks
notebooks: book
	$(BIN)/python -m bookkit.notebooks . $(NOTEBOOKS)
	@for ed in instructor student; do site=$$( [ $$ed = student ] && echo $(STUDENT)/_build/html || echo _build/html ); \
	  if [ -d $$site/_sources/book ]; then cp $(NOTEBOOKS)/$$ed/*.ipynb $$site/_sources/book/; fi; done

# nbval over the student notebooks, the files readers run: set-up cell visible, answer cells empty,
# checkers called, exactly as downloaded.  (The build executes the .md sources; this is each
# chapter's second and last run per make test.)  Then the leak test over the student notebooks and
# their zip, with the instructor notebooks as the control that the detector sees every solution.
test-nb: notebooks
	$(BIN)/python -m pytest $(NOTEBOOKS)/student --nbval-lax -q
	$(BIN)/python -m bookkit.editions check-leaks . $(NOTEBOOKS)/student --instructor-site $(NOTEBOOKS)/instructor

# Binder's environment.yml: every package a reader needs, pinned from constraints.txt (bookkit/binder.py)
binder-env: venv
	$(BIN)/python -m bookkit.binder .

# JupyterLab (pinned in requirements.txt) opened on the generated notebooks, instructor/ and student/
lab: notebooks
	$(BIN)/jupyter lab --notebook-dir=$(NOTEBOOKS)

# The leak test: no solution's text anywhere in the student site (pages, _sources, search index);
# the instructor site, when built, is the control that the search finds every solution.
test-student: book-student
	$(BIN)/python -m bookkit.editions check-leaks . $(STUDENT)/_build/html $(if $(wildcard _build/html/index.html),--instructor-site _build/html)

# A cold build: every chapter executed again, any Sphinx warning is an error.
test-build: venv vendor
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache
	mkdir -p _build && touch _build/.relubook.stamp
	$(JB) build . -W --keep-going -n
	$(BIN)/python -m pytest tests_browser/test_offline_html.py -q

# The built site in headless Chromium (Debian's chromium, installed here when missing), served
# from localhost with every other request refused: math typeset, alt text, widget state drawn,
# internal links, no console errors; and chapter 1's student notebook run in a real JupyterLab
# (tests_browser/test_lab.py).  Keeps _build/screenshots/.  Builds the book and notebooks if needed.
CHROMIUM ?= /usr/bin/chromium
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)
test-browser: venv
	@test -f _build/html/index.html || $(MAKE) book
	@test -f $(NOTEBOOKS)/student/01_relu.ipynb || $(MAKE) notebooks
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null || { echo >&2 "no $(CHROMIUM) and no apt-get: install Chromium and run make test-browser CHROMIUM=/path/to/chromium"; exit 1; }; \
	  echo "installing Debian's chromium and chromium-driver"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
	RELUBOOK_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests_browser -q

# The book as a PDF, _build/latex/relubook.pdf (xelatex; widgets and animations print as text).
# Not run by CI.  Needs TeX Live: `make pdf-deps` installs it from Debian's packages (~450 MB).
pdf: venv _build/.relubook.stamp
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v xindy >/dev/null || \
	  { echo >&2 "make pdf needs xelatex, latexmk and xindy: run 'make pdf-deps' (Debian/Ubuntu) or install TeX Live"; exit 1; }
	$(JB) build . --builder pdflatex

pdf-deps:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex \
	  texlive-plain-generic tex-gyre fonts-freefont-otf latexmk xindy

serve:
	@test -f _build/html/index.html || { echo "no built book: run 'make book' first"; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: venv
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) *.egg-info .hypothesis
