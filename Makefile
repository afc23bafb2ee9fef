# Mentorship: `make run` serves the demo, `make test` runs the suite.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_WORKERS ?= 2

.PHONY: install run lint test test-fast test-browser bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v 'is ignored' || true
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v 'is ignored' || true
	$(PY) -c 'import mentorship, matching, playwright'  # fail here if the install did not
	touch $@

# The app's own compiled bytecode: without it every start compiles the source again
# (about 0.4 s), and nothing writes it where PYTHONDONTWRITEBYTECODE is set.
install: $(VENV)/.installed
	$(PY) -m compileall -q -j 0 wsgi.py mentorship matching migrations benchmarks > /dev/null

# gunicorn, not the development server: see README, "Serving". Settings in gunicorn.conf.py.
run: install
	$(FLASK) prepare-demo
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

# ruff (style, imports, the engine's boundary) and mypy (types); `make test` runs it first.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The whole suite: lint, unit, integration, matching, browser. DATABASE_URL picks the database.
test: lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q

test-fast: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q --ignore=tests/browser

test-browser: install
	$(PY) -m pytest -q tests/browser

bench: install
	$(PY) -m pip install -q --disable-pip-version-check -e '.[bench]'
	$(PY) -m benchmarks.matching

clean:
	rm -rf $(VENV) instance artifacts .pytest_cache
