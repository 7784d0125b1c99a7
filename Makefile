# decide — two commands do all the set-up on a fresh machine:
#   make run    creates .venv on first use, installs, serves API + pages + flows on SQLite with demo data
#   make test   the same set-up, then ruff, mypy (strict on decision_engine/, api/, flows/), the layer
#               contracts (import-linter, [tool.importlinter] in pyproject.toml) and every test, on the
#               machine's cores (TEST_JOBS, below)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
export PREFECT_HOME ?= $(CURDIR)/data/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: run demo test lint typecheck layers pytest bench mutation system-deps fonts clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

system-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'noto.*cjk' || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || \
	    echo "warning: could not install chromium / fonts-noto-cjk (browser tests will be skipped)"; }

# Official documents need a Chinese font: without one, rendering is refused (never a PDF of empty boxes).
fonts:
	@fc-list :lang=zh family 2>/dev/null | grep -q . || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) || \
	    echo "warning: no Chinese font and fonts-noto-cjk could not be installed: documents will not render"; }

run: $(STAMP) fonts
	mkdir -p "$(PREFECT_HOME)"
	$(VENV)/bin/decide serve --demo

# The terminal demo keeps its own data directory, apart from what `make run` serves.
demo: $(STAMP)
	DECIDE_DATA_DIR="$(CURDIR)/data/demo-run" $(VENV)/bin/decide demo

lint: $(STAMP)
	$(VENV)/bin/ruff check decision_engine api flows tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

layers: $(STAMP)
	$(VENV)/bin/lint-imports

# The suite runs on TEST_JOBS worker processes (pytest-xdist; the machine's cores, at most 4), a test file
# per worker at a time (--dist loadfile: a file's tests share its fixtures and run in their written order).
# TEST_JOBS=0 runs it in this one process.
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
pytest: $(STAMP)
	$(VENV)/bin/pytest -q $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

test: $(STAMP) system-deps lint typecheck layers pytest

# Mutation testing of the pure domain against the in-memory domain tests only ([tool.mutmut] in pyproject.toml).
# MODULE narrows the run to one module: a stage of domain/rules (MODULE=legality -> the mutants of
# decision_engine.domain.rules.legality.*) or else a module of domain/ (MODULE=authority). MUTANTS narrows it to
# mutant-name globs, e.g. MUTANTS='decision_engine.domain.rules.hearing.x_art_*'. MUTATION_JOBS caps the parallel
# children (1 by default: the machine's cores are shared); mutmut runs under nice. Survivors: mutmut results.
MODULE ?=
MUTANTS ?=
MUTATION_JOBS ?= 1
MUTATION_NICE ?= 10
MUTATION_TARGET = $(if $(MODULE),'decision_engine.domain.$(if $(wildcard decision_engine/domain/rules/$(MODULE).py),rules.)$(MODULE).*')
mutation: $(STAMP)
	nice -n $(MUTATION_NICE) $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) $(MUTATION_TARGET) $(MUTANTS)
	$(VENV)/bin/mutmut results

bench: $(STAMP)
	$(PY) bench/bench_core.py

clean:
	rm -rf $(VENV) data test-output mutants
