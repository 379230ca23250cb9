# Two commands do all the setup on a fresh machine:
#   make demo   run the SDK on an embedded viewer with demo data
#   make test   lint, type-check and run the whole suite against real viewers

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VERSIONS ?= 0.5.3 0.7.2
SOURCES := runicorn_api tests examples benchmarks docs/hooks tools

.PHONY: install viewers debs lint typing test test-offline demo docs dist interpreters clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[all,dev,docs]"
	touch $(STAMP)

install: $(STAMP)

# Debian's packages the tests use: nginx (the TLS/auth proxy in front of a viewer) and
# chromium (the docs site as a reader sees it), installed with apt where missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
debs:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v chromium >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx-light chromium >/dev/null; \
	fi

# One cached venv per pinned runicorn release, in .cache/viewers/.
viewers: $(STAMP)
	$(BIN)/python -m runicorn_api.testing.envs $(VERSIONS)

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy --strict runicorn_api
	$(BIN)/pyright
	$(BIN)/lint-imports
	$(BIN)/python tools/typed_keys.py --check
	$(BIN)/python tools/route_table.py --check
	$(MAKE) typing

# The SDK as its users' type checkers see it: the typing suite under mypy --strict (with
# the SDK's plugin) and pyright strict, and the built wheel's type completeness (100%).
typing: $(STAMP)
	$(BIN)/mypy --config-file tests/typing/mypy.ini --no-incremental tests/typing
	$(BIN)/pyright -p tests/typing/pyrightconfig.json
	rm -rf .cache/wheel .cache/typed-wheel
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps -w .cache/wheel .
	$(PYTHON) -m venv .cache/typed-wheel
	.cache/typed-wheel/bin/python -m pip install --quiet --disable-pip-version-check .cache/wheel/*.whl click rich
	cd .cache && PATH="$(CURDIR)/.cache/typed-wheel/bin:$$PATH" VIRTUAL_ENV="$(CURDIR)/.cache/typed-wheel" \
		$(CURDIR)/$(BIN)/pyright --verifytypes runicorn_api --ignoreexternal

# The sdist and wheel, checked (twine, check-wheel-contents, tools/check_dist.py), then the
# wheel installed in a fresh venv (not editable) and the demo run from it.
dist: $(STAMP)
	rm -rf dist .cache/dist-venv
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/check-wheel-contents dist/*.whl
	$(BIN)/python tools/check_dist.py dist
	$(PYTHON) -m venv .cache/dist-venv
	.cache/dist-venv/bin/python -m pip install --quiet --disable-pip-version-check "$$(ls dist/*.whl)[all]"
	mkdir -p .cache/dist-demo
	cd .cache/dist-demo && ../dist-venv/bin/python -c "import runicorn_api; assert 'site-packages' in runicorn_api.__file__, runicorn_api.__file__"
	cd .cache/dist-demo && ../dist-venv/bin/python $(CURDIR)/examples/demo.py

test: debs lint docs dist viewers
	RUNICORN_VERSIONS="$(shell echo $(VERSIONS) | tr ' ' ',')" $(BIN)/python -m pytest
	$(WHEEL_SUITES)

# The built wheel on the other Pythons (pyenv's), against one real viewer: 3.10 with every
# declared lower bound pinned (tools/lower_bounds.py), 3.12 and 3.13 with the newest
# packages. The full suite above runs on $(PYTHON).
WHEEL_SUITES = $(BIN)/python tools/wheel_suite.py --python 3.10 --lower-bounds && \
	$(BIN)/python tools/wheel_suite.py --python 3.12 && \
	$(BIN)/python tools/wheel_suite.py --python 3.13

interpreters: dist viewers
	$(WHEEL_SUITES)

# The fast tier: every test that needs no real viewer (seconds, not minutes).
test-offline: $(STAMP)
	$(BIN)/python -m pytest -m "not viewer"

# The demo's own venv: only what it needs (the viewer, polars, matplotlib), with pip's
# progress shown, not the dev and docs tools of .venv. The viewer is the release whose
# answers the README prints.
DEMO_VENV := .cache/demo-venv
DEMO_RUNICORN := 0.7.2
$(DEMO_VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(DEMO_VENV)
	@echo "Installing runicorn-api with the viewer, polars and matplotlib into $(DEMO_VENV) ..."
	$(DEMO_VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar on \
		-e ".[viewer,polars,plot,cli]" "runicorn==$(DEMO_RUNICORN)"
	touch $@

demo: $(DEMO_VENV)/.installed
	$(DEMO_VENV)/bin/python examples/demo.py

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

clean:
	rm -rf $(VENV) .cache site
