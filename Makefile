# relubook: two commands do all the set-up on a fresh machine.
#   make book   create .venv, install the pinned environment, build _build/html (every chapter executed)
#   make test   same set-up, then unit tests, nbval over every chapter, and a build failing on any warning
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

.PHONY: lock venv book book-all test test-unit test-nb test-build serve bench clean distclean

venv: $(VENV)/.stamp

$(VENV)/.stamp: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(PIP_INDEX) -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# jupyter-cache keys on notebook code only: a change to relubook/*.py must re-execute the chapters.
_build/.relubook.stamp: $(wildcard relubook/*.py relubook/*/*.py) | venv
	rm -rf _build/.jupyter_cache _build/.doctrees
	mkdir -p _build && touch $@

book: venv _build/.relubook.stamp
	$(JB) build . -W --keep-going -n

book-all: venv _build/.relubook.stamp
	$(JB) build . --all -W --keep-going -n

test: test-unit test-nb test-build

test-unit: venv
	$(BIN)/python -m pytest tests -q

test-nb: venv
	$(BIN)/python -m pytest book --nbval-lax -q

# A cold build: every chapter executed again, any Sphinx warning is an error.
test-build: venv
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache
	mkdir -p _build && touch _build/.relubook.stamp
	$(JB) build . -W --keep-going -n

serve:
	@test -f _build/html/index.html || { echo "no built book: run 'make book' first"; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: venv
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) *.egg-info .hypothesis
