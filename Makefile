# relubook: two commands do all the set-up on a fresh machine.
#   make book   create .venv, install the pinned environment, build _build/html (every chapter executed)
#   make test   same set-up, then at once the unit tests and the chapters executed once into the cache;
#               then at once a book build failing on any warning, nbval over the generated student
#               notebooks and the student edition, each edition with its leak test
SHELL  := /bin/bash
# The interpreter that makes the venv.  A distribution's CPython (Debian's /usr/bin/python3.11) is
# compiled with profile-guided optimisation and link-time optimisation; pyenv's default build (first
# on this machine's PATH) is not, and runs pure-Python code 1.6 times slower (a json/generator/sort
# loop: 433 against 265 us).  make test spends about a fifth of its CPU time in such code (Sphinx,
# matplotlib's layout, pytest, Jupyter's messaging): with Debian's interpreter a fresh-clone make test
# took 620 CPU-seconds against 699 on the same commit.  So the rule takes /usr/bin/python3.11 where it
# exists and python3.11 from PATH elsewhere; `make venv PYTHON=...` picks another (3.11.2 or later).
PYTHON ?= $(or $(wildcard /usr/bin/python3.11),python3.11)
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
	$(BIN)/python tools/warm_bytecode.py --write-list

.PHONY: lock venv book book-all test test-unit test-nb test-build serve bench clean distclean
.PHONY: vendor test-browser pdf pdf-deps assignments test-assignments public-export notebooks lab binder-env

venv: $(VENV)/.stamp

# The installer: uv (pinned below, fetched from PyPI into the venv by pip; it installs the same lock,
# constraints.txt, in a fraction of pip's time).  `make venv UV=` uses pip alone, and so does the rule
# when uv cannot be installed.  uv does not read pip's configuration, so the recipe hands it pip's
# find-links and extra indexes (a local wheelhouse).  The venv is created without pip (ensurepip takes
# 7.5 s): the interpreter's own pip installs uv into it, and uv then installs pip from the wheel the
# interpreter ships (ensurepip's, or WHEEL_PKG_DIR's on Debian), offline; where the interpreter has no
# pip, ensurepip runs as usual.
# Bytecode: compiling all of site-packages (uv --compile-bytecode, as pip does) takes 36 s on two
# cores for 14,000 files, of which the book imports about 4,100.  Instead tools/warm_bytecode.py
# compiles those, listed in tools/bytecode_files.txt (written by `make lock`), in two processes side
# by side (12 s; importing them to have Python write them took 20 s); anything it missed is written
# the first time a process imports it, since no recipe inherits PYTHONDONTWRITEBYTECODE (without
# .pyc files, every process would compile its imports again: torch, matplotlib, scipy, sympy, pandas
# and nbformat take 18 s instead of 6 s).
unexport PYTHONDONTWRITEBYTECODE
UV         ?= uv==0.13.8
UV_FLAGS   ?=
$(VENV)/.stamp: requirements.txt constraints.txt excludes.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@pip="$(BIN)/python -m pip"; $$pip --version >/dev/null 2>&1 || pip="$(PYTHON) -m pip"; \
	if [ -n "$(UV)" ] && { test -x $(BIN)/uv || $$pip --python $(BIN)/python install -q "$(UV)" || \
	    { $(BIN)/python -m ensurepip -q && $(BIN)/python -m pip install -q "$(UV)"; }; }; then \
	  links="$$PIP_FIND_LINKS $$($$pip config get global.find-links 2>/dev/null)"; \
	  extra="$$PIP_EXTRA_INDEX_URL $$($$pip config get global.extra-index-url 2>/dev/null) $(TORCH_INDEX)"; \
	  src="$$(for l in $$links; do printf -- '--find-links %s ' "$$l"; done)$$(for u in $$extra; do printf -- '--extra-index-url %s ' "$$u"; done)"; \
	  echo "installing with $$($(BIN)/uv --version) from constraints.txt"; \
	  set -x; $(BIN)/uv pip install -q --python $(BIN)/python $(UV_FLAGS) $$src --index-strategy unsafe-best-match \
	    --excludes excludes.txt -r requirements.txt -c constraints.txt && \
	  $(BIN)/uv pip install -q --python $(BIN)/python $$src --no-deps -e . && \
	  { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/uv pip install -q --python $(BIN)/python \
	      --no-index --find-links "$$($(BIN)/python -c 'import ensurepip, os, sysconfig; print(sysconfig.get_config_var("WHEEL_PKG_DIR") or os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))')" pip; } && \
	  $(BIN)/python tools/warm_bytecode.py; \
	else \
	  echo "installing with pip from constraints.txt"; $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip -q; set -x; \
	  $(BIN)/python -m pip install -q $(PIP_INDEX) -r requirements.txt -c constraints.txt && \
	  $(BIN)/python -m pip uninstall -q -y $$(grep -v '^#' excludes.txt) && \
	  $(BIN)/python -m pip install -q --no-deps -e .; \
	fi
	touch $@

# Execution (tools/execute_chapters.py): the pages whose outputs are not in the jupyter-cache run
# JOBS at a time (torch and BLAS pinned to cores/JOBS threads each), longest first, before Sphinx
# renders them from the cache.  The cache is keyed on each page's code, plus a fingerprint of the
# reader package relubook/ (build-only modules left out) and of the lock (requirements.txt,
# constraints.txt): a change there drops the cache and the doctrees; a prose edit executes nothing.
# A failing page is reported first (page, cell, line, error); the other pages still build.
JOBS    ?= 2
# threads per worker, so that JOBS workers (chapters, nbval kernels, unit-test workers) share the
# cores without oversubscribing them
THREADS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); t=$$(( n / $(JOBS) )); echo $$(( t > 0 ? t : 1 )))
PIN     := OMP_NUM_THREADS=$(THREADS) MKL_NUM_THREADS=$(THREADS) OPENBLAS_NUM_THREADS=$(THREADS)
# The long studies (relubook.memo) keep their results in _build/memo, keyed on the call, the random
# state and relubook's code: nbval's run of a student notebook reads what the build's run of the same
# call computed, and trains nothing again.  The unit tests never set it.
MEMO    := RELUBOOK_MEMO=$(CURDIR)/_build/memo
EXECUTE := $(MEMO) $(BIN)/python tools/execute_chapters.py --jobs $(JOBS)
JB_BUILD = $(EXECUTE) --then "$(JB) build . -W --keep-going -n $(1)"
.PHONY: execute FORCE
execute: venv
	$(EXECUTE)

# Kept for the targets that build from the cache (notebooks, book-student, pdf): execute what is missing
# first (COLD=1 drops the cache and the doctrees before).
_build/.relubook.stamp: FORCE | venv
	$(if $(COLD),rm -rf _build/.jupyter_cache _build/.doctrees)
	$(EXECUTE)
	mkdir -p _build && touch $@

# Offline pages: MathJax, require.js and the widget manager, pinned and fetched once from the npm
# registry into _build/vendor (html_static_path in _config.yml); needs npm.
vendor: _build/vendor/.stamp

_build/vendor/.stamp: tools/vendor_js.sh tools/widgets-offline.js
	bash tools/vendor_js.sh _build/vendor

book: venv vendor
	$(call JB_BUILD)

book-all: venv vendor
	$(call JB_BUILD,--all)

# The student edition: the same book without solutions, teaching notes, instructors' page or launch
# buttons, built from a stripped copy of the sources (bookkit/editions.py) that shares the full
# book's execution cache.  Output: _build/student/_build/html.
.PHONY: book-student test-student
STUDENT := _build/student
book-student: venv vendor _build/.relubook.stamp notebooks
	$(BIN)/python -m bookkit.editions student-src . $(STUDENT)/src
	$(JB) build $(STUDENT)/src --path-output $(STUDENT) -W --keep-going -n

# make test, in one `make -j4` once the environment is installed: the unit tests (JOBS workers) beside
# the execution of every page (JOBS at a time), so that neither's last slow item leaves a core idle;
# then the notebook edition written from the cache, followed by three checks at once: the instructor
# site failing on any warning, nbval over the student notebooks and the student site.  The two Sphinx
# builds are single-threaded and would leave a core idle one after the other; run beside nbval they
# fill it.  The student site's leak test, with the instructor site as its control, runs as soon as
# both sites are built, beside the end of nbval.  From a fresh clone on the 2-core machine, environment
# included: 105 to 118 s on 2026-11-29 (issue 19's goal is 5 minutes; README, "How the build stays fast").
test: venv
	$(MAKE) -j4 --output-sync=target test-unit test-nb test-sites

.PHONY: test-sites
test-sites: test-build book-student
	$(MAKE) check-student

# Assignments: one otter-grader assignment per chapter with a computable exercise (student notebook,
# public and hidden tests built from relubook.checks, autograder zip for `otter run`/Gradescope).
# otter executes each solutions notebook to check its tests.  Output: _build/assignments/<chapter>/dist.
assignments: venv
	$(BIN)/python -m bookkit.assignments export . _build/assignments

# A copy of the repository without solutions, instructors' page or rubrics, to publish as the
# students' repository (bookkit/public.py); PUBLIC_REPOSITORY=URL names it in its _config.yml.
PUBLIC_REPOSITORY ?=
# every chapter's four sample submissions graded by otter (make test grades chapter 1 only)
test-assignments: venv
	RELUBOOK_ASSIGNMENT_CHAPTERS=all $(BIN)/python -m pytest tests/test_assignments.py -q

public-export: venv
	$(BIN)/python -m bookkit.public . _build/public $(if $(PUBLIC_REPOSITORY),--public-repository $(PUBLIC_REPOSITORY))

# JOBS pytest-xdist workers, the longest tests handed out as workers free up (--dist worksteal).
# Tests marked slow (scale tests of what a smaller case checks in make test: the exact count of a
# depth-20 compositional network, half a minute of one core) run in `make test-slow`, which .ci/run
# runs after make test.
test-unit: venv
	$(PIN) $(BIN)/python -m pytest tests -q -n $(JOBS) --dist worksteal -m "not slow"

.PHONY: test-slow
test-slow: venv
	$(PIN) $(BIN)/python -m pytest tests -q -n $(JOBS) --dist worksteal -m slow

# The notebook edition (bookkit/notebooks.py): one plain .ipynb per chapter for each edition, glued
# numbers from the executed build (make book's jupyter-cache, so nothing runs again), a zip of each
# edition, and each built site's download button offering its edition's notebook.
NOTEBOOKS := _build/notebooks
# (From the execution cache: executes only pages missing from it, so `make test` does not build the
# site a second time; the notebooks are copied into a site that has already been built.)
notebooks: venv _build/.relubook.stamp
	$(BIN)/python -m bookkit.notebooks . $(NOTEBOOKS)
	@for ed in instructor student; do site=$$( [ $$ed = student ] && echo $(STUDENT)/_build/html || echo _build/html ); \
	  if [ -d $$site/_sources/book ]; then cp $(NOTEBOOKS)/$$ed/*.ipynb $$site/_sources/book/; fi; done

# nbval over the student notebooks, the files readers run: set-up cell visible, answer cells empty,
# checkers called, exactly as downloaded.  (The build executes the .md sources; this is each
# chapter's second and last run per make test.)  JOBS notebooks at a time (pytest-xdist; --dist
# loadscope keeps each notebook's cells in order on one worker, one kernel each), handed out longest
# first by the build's last recorded time of each page (tools/execute_chapters.py --order).  Then
# the leak test over the student notebooks and their zip, with the instructor notebooks as the
# control that the detector sees every solution.  Each kernel is forked from one process that has
# imported torch, relubook, ... (bookkit/forkkernel.py, as in the build's execution): the notebook's
# code runs in a fresh namespace as in any kernel, without 4.5 s of imports per notebook.
test-nb: notebooks
	$(PIN) $(MEMO) $(BIN)/python -m bookkit.forkkernel run -- \
	  $(BIN)/python -m pytest -p bookkit.forkkernel $$($(BIN)/python tools/execute_chapters.py --order $(NOTEBOOKS)/student) \
	  --nbval-lax -q -n $(JOBS) --dist loadscope --no-loadscope-reorder
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
	$(MAKE) check-student

.PHONY: check-student
check-student:
	$(BIN)/python -m bookkit.editions check-leaks . $(STUDENT)/_build/html $(if $(wildcard _build/html/index.html),--instructor-site _build/html)

# A full build that fails on any Sphinx warning: every page read again (doctrees dropped), the
# pages executed again only where the cache is stale (make test-build COLD=1 drops it as well); the
# notebook edition first, so that every page's download menu offers its generated notebook.
test-build: venv vendor notebooks
	rm -rf _build/html _build/.doctrees
	$(call JB_BUILD)
	$(BIN)/python -m pytest tests_browser/test_offline_html.py -q

# The built site in headless Chromium (Debian's chromium, installed here when missing), served
# from localhost with every other request refused: math typeset, alt text, widget state drawn,
# internal links, no console errors; and chapters 1 and 10's student notebooks run in a real JupyterLab
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

# The book as a PDF, _build/latex/relubook.pdf (xelatex; widgets and animations print as text);
# pdf-student: the student edition's, _build/student/_build/latex/relubook.pdf.  Once a PDF is there,
# each edition's site offers it in every page's download menu (bookkit.sphinxext); `make pdf` rewrites
# an already built site's pages to add the link.  .ci/run builds both where TeX is installed.
# Needs TeX Live: `make pdf-deps` installs it from Debian's packages (~450 MB).
TEX_CHECK = command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v xindy >/dev/null || \
	  { echo >&2 "$@ needs xelatex, latexmk and xindy: run 'make pdf-deps' (Debian/Ubuntu) or install TeX Live"; exit 1; }
.PHONY: pdf-student
pdf: venv _build/.relubook.stamp
	@$(TEX_CHECK)
	$(JB) build . --builder pdflatex
	@if [ -f _build/html/index.html ]; then $(MAKE) vendor && $(call JB_BUILD); fi

pdf-student: venv _build/.relubook.stamp
	@$(TEX_CHECK)
	$(BIN)/python -m bookkit.editions student-src . $(STUDENT)/src
	$(JB) build $(STUDENT)/src --path-output $(STUDENT) --builder pdflatex

pdf-deps:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex \
	  texlive-plain-generic tex-gyre fonts-freefont-otf latexmk xindy

serve:
	@test -f _build/html/index.html || { echo "no built book: run 'make book' first"; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# The fuzz suite with a large budget: every public function of relubook and relubook.checks under
# bad and extreme input, 2 GiB and 10 s per call; prints the table of outcomes (tests/fuzz_driver.py).
.PHONY: fuzz
FUZZ_EXAMPLES ?= 200
fuzz: venv
	mkdir -p _build && RELUBOOK_DEVICE=cpu $(BIN)/python tests/fuzz_driver.py --examples $(FUZZ_EXAMPLES) --table > _build/fuzz.json || \
	  { echo "bad outcomes: see _build/fuzz.json"; exit 1; }

# Every benchmark (not part of make test): each alternates its two ways, pins threads, prints its
# figures and exits 1 on a missed target (README, Benchmarks); all run, then the misses are listed.
bench: venv
	@failed=; for f in benchmarks/bench_*.py; do echo "== $$f"; \
	  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python $$f || failed="$$failed $$f"; done; \
	if [ -n "$$failed" ]; then echo "missed a target:$$failed"; exit 1; fi

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) *.egg-info .hypothesis

# Chapters 9 to 14 executed again for the base seeds 1 to 4 (RELUBOOK_SEED shifts every random
# draw of the book): every hidden check must hold on other draws too.  Not part of `make test`:
# one seed took 160 to 231 s of one core (the slider figures are not drawn here; measured with other
# jobs on the machine), the four about 13 minutes one chapter at a time; JOBS chapters run at a time.
# SEEDS and SEED_CHAPTERS can be narrowed: make test-seeds SEEDS=2 SEED_CHAPTERS=book/09_dying.md
.PHONY: test-seeds
SEEDS ?= 1 2 3 4
SEED_CHAPTERS ?= $(sort $(wildcard book/09_*.md book/1[0-4]_*.md))
test-seeds: venv
	set -e; for s in $(SEEDS); do echo "== RELUBOOK_SEED=$$s"; \
	  RELUBOOK_SEED=$$s $(PIN) $(BIN)/python -m pytest $(SEED_CHAPTERS) --nbval-lax -q -n $(JOBS) --dist loadscope; done
