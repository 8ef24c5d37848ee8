# The two commands: `make run` and `make test`. Everything else is a helper they call.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
FINGERTIPS_REFRESH_ON_START ?= 1

.PHONY: run test install migrate lint format check-migrations clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --quiet --python $(PY) -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0

## make run: set up everything and serve the dashboard on http://$(HOST):$(PORT)
run: migrate
	DEBUG=1 $(PY) manage.py load_snapshot
	@if [ "$(FINGERTIPS_REFRESH_ON_START)" != "0" ]; then \
		echo "Refreshing from the Fingertips API in the background (log: var/refresh.log)"; \
		DEBUG=1 nohup $(PY) manage.py refresh_fingertips > var/refresh.log 2>&1 & \
	fi
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## make test: set up and run the whole suite (DATABASE_URL selects PostgreSQL, as in CI)
test: install
	@status=0; $(PY) -m pytest || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-migrations: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
