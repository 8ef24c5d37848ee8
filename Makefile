# The two commands: `make run` and `make test`. Everything else is a helper they call.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
FINGERTIPS_REFRESH_ON_START ?= 1

.PHONY: run test install migrate lint format check-migrations clean vendor

UV_VERSION := 0.13.9

# The exact versions in requirements-dev.lock, checked against their hashes: the shipped packages
# at the versions requirements.lock gives the image, plus the test and benchmark tools.
$(VENV)/.installed: requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements-dev.lock
	touch $@

install: $(VENV)/.installed

## make lock: re-resolve both lock files from pyproject.toml (needs the package index). The
## image installs requirements.lock; development and CI install requirements-dev.lock, which is
## resolved within requirements.lock, so tests run on the versions that ship.
.PHONY: lock
lock: install
	$(UV) pip compile pyproject.toml -o requirements.lock --generate-hashes --universal \
		--python-version 3.11 --quiet
	$(UV) pip compile pyproject.toml --extra dev --extra bench -c requirements.lock \
		-o requirements-dev.lock --generate-hashes --universal --python-version 3.11 --quiet

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0

## make run: set up everything and serve the dashboard on http://$(HOST):$(PORT)
run: migrate
	DEBUG=1 $(PY) manage.py load_snapshot
	DEBUG=1 $(PY) manage.py load_action_plan
	DEBUG=1 $(PY) manage.py setup_roles
	@if [ "$(FINGERTIPS_REFRESH_ON_START)" != "0" ]; then \
		echo "Refreshing from the Fingertips API in the background (log: var/refresh.log)"; \
		DEBUG=1 nohup $(PY) manage.py refresh_fingertips > var/refresh.log 2>&1 & \
	fi
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## make test: set up and run the whole suite (DATABASE_URL selects PostgreSQL, as in CI) and
## print the product's coverage, files not fully covered (`make test COVERAGE=` leaves it out)
COVERAGE ?= --cov=indicators --cov=actionplan --cov=alerts --cov=localdata --cov=imr_dashboard \
	--cov-report=term:skip-covered
test: install
	@status=0; $(PY) -m pytest $(COVERAGE) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

## make smoke: run the production processes and smoke-test them (needs DATABASE_URL and
## TEST_REDIS_URL pointing at a PostgreSQL and a Redis server, as .ci/run sets them)
.PHONY: smoke
smoke: install
	.ci/smoke

## make scale: the same with 3 web instances, 2 workers, one beat and the nginx proxy in front
## (docs/OPERATIONS.md, More than one machine); needs nginx and openssl too
.PHONY: scale
scale: install
	.ci/scale

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

## make vendor: re-copy GOV.UK Frontend's built CSS/JS into static/vendor/ (needs npm; nothing
## else depends on it: the vendored files are committed). See static/vendor/README.md.
GOVUK_FRONTEND_VERSION ?= 5
GOVUK_FRONTEND_DIR := static/vendor/govuk-frontend
vendor:
	@command -v npm >/dev/null || { echo "make vendor needs npm" >&2; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent govuk-frontend@$(GOVUK_FRONTEND_VERSION) >/dev/null); \
	tar -xzf "$$tmp"/govuk-frontend-*.tgz -C "$$tmp"; \
	version=$$(node -p 'require(process.argv[1]).version' "$$tmp/package/package.json"); \
	licence=$$(node -p 'require(process.argv[1]).license' "$$tmp/package/package.json"); \
	test "$$licence" = MIT || { echo "govuk-frontend $$version is licensed $$licence, not MIT" >&2; exit 1; }; \
	mkdir -p $(GOVUK_FRONTEND_DIR); \
	sed -E -e 's/@font-face\{font-family:"?GDS Transport"?;[^}]*\}//g' \
	       -e 's/font-family:"?GDS Transport"?,/font-family:/g' \
	       -e 's@/\*# sourceMappingURL=[^*]*\*/@@' \
	    "$$tmp/package/dist/govuk/govuk-frontend.min.css" > $(GOVUK_FRONTEND_DIR)/govuk-frontend.min.css; \
	sed -E -e 's@//# sourceMappingURL=.*$$@@' \
	    "$$tmp/package/dist/govuk/govuk-frontend.min.js" > $(GOVUK_FRONTEND_DIR)/govuk-frontend.min.js; \
	if grep -q -e 'GDS Transport' -e '/assets/fonts/' $(GOVUK_FRONTEND_DIR)/govuk-frontend.min.css; then \
		echo "the GDS Transport font is still referenced: update the sed rules in the Makefile" >&2; exit 1; fi; \
	sed -i -E -e 's/font-family:arial,sans-serif/font-family:Arimo,arial,sans-serif/g' \
	       -e 's/font-family:sans-serif/font-family:Arimo,sans-serif/g' $(GOVUK_FRONTEND_DIR)/govuk-frontend.min.css; \
	echo "$$version" > $(GOVUK_FRONTEND_DIR)/VERSION; \
	echo "Vendored govuk-frontend $$version into $(GOVUK_FRONTEND_DIR)/ (update static/vendor/README.md if the version changed)"
	$(MAKE) --no-print-directory vendor-font
	$(MAKE) --no-print-directory vendor-pack-font
	$(MAKE) --no-print-directory vendor-plotly

## The bundled font: Arimo (Arial's metrics, SIL OFL), regular and bold, Latin and Latin
## Extended, from @fontsource/arimo; static/vendor/arimo/arimo.css is written from its own CSS.
ARIMO_VERSION ?= 5
ARIMO_DIR := static/vendor/arimo
.PHONY: vendor-font
vendor-font:
	@command -v npm >/dev/null || { echo "make vendor-font needs npm" >&2; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent @fontsource/arimo@$(ARIMO_VERSION) >/dev/null); \
	tar -xzf "$$tmp"/fontsource-arimo-*.tgz -C "$$tmp"; \
	version=$$(node -p 'require(process.argv[1]).version' "$$tmp/package/package.json"); \
	rm -rf $(ARIMO_DIR); mkdir -p $(ARIMO_DIR)/files; \
	cp "$$tmp/package/LICENSE" $(ARIMO_DIR)/LICENSE; \
	{ echo "/* Arimo (Arial's metrics), @fontsource/arimo $$version, SIL OFL 1.1 (LICENSE): every machine"; \
	  echo "   sets and prints the pages in the same font. Written by make vendor-font. */"; \
	  for weight in 400 700; do for subset in latin-ext latin; do \
	    cp "$$tmp/package/files/arimo-$$subset-$$weight-normal.woff2" $(ARIMO_DIR)/files/; \
	    range=$$(grep -A8 "arimo-$$subset-$$weight-normal \*/" "$$tmp/package/$$weight.css" \
	      | sed -n 's/ *unicode-range: *\(.*\);/\1/p'); \
	    test -n "$$range" || { echo "no unicode-range for $$subset $$weight" >&2; exit 1; }; \
	    echo "@font-face{font-family:Arimo;font-style:normal;font-display:swap;font-weight:$$weight;src:url(files/arimo-$$subset-$$weight-normal.woff2) format(\"woff2\");unicode-range:$$range}"; \
	  done; done; } > $(ARIMO_DIR)/arimo.css; \
	echo "$$version" > $(ARIMO_DIR)/VERSION; \
	echo "Vendored @fontsource/arimo $$version into $(ARIMO_DIR)/"

## The board pack's font: DejaVu Sans (Bitstream Vera's licence, DejaVu changes public domain),
## regular, bold, oblique and bold oblique TTFs, from the npm package dejavu-fonts-ttf, into
## actionplan/fonts/ (ReportLab embeds them; not served). See static/vendor/README.md.
DEJAVU_VERSION ?= 2.37.3
DEJAVU_DIR := actionplan/fonts
.PHONY: vendor-pack-font
vendor-pack-font:
	@command -v npm >/dev/null || { echo "make vendor-pack-font needs npm" >&2; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent dejavu-fonts-ttf@$(DEJAVU_VERSION) >/dev/null); \
	sha256sum "$$tmp"/dejavu-fonts-ttf-*.tgz; \
	tar -xzf "$$tmp"/dejavu-fonts-ttf-*.tgz -C "$$tmp"; \
	version=$$(node -p 'require(process.argv[1]).version' "$$tmp/package/package.json"); \
	grep -q "Bitstream Vera Fonts Copyright" "$$tmp/package/LICENSE" || { echo "dejavu-fonts-ttf $$version: unexpected licence" >&2; exit 1; }; \
	mkdir -p $(DEJAVU_DIR); \
	for face in DejaVuSans DejaVuSans-Bold DejaVuSans-Oblique DejaVuSans-BoldOblique; do \
	  cp "$$tmp/package/ttf/$$face.ttf" $(DEJAVU_DIR)/; done; \
	cp "$$tmp/package/LICENSE" $(DEJAVU_DIR)/LICENSE; \
	echo "$$version" > $(DEJAVU_DIR)/VERSION; \
	echo "Vendored dejavu-fonts-ttf $$version into $(DEJAVU_DIR)/ (update static/vendor/README.md if the version changed)"

## The charts' script: static/vendor/plotly/plotly.min.js, a partial bundle of plotly.js with only
## the trace types the dashboard draws (scatter, bar, scattergeo), at the version the Python
## package draws with. Built with esbuild from the exact packages in vendor/plotly-bundle/
## (package-lock.json, installed with npm ci); the full plotly.min.js is 4.8 MB, this 1.4 MB.
PLOTLY_DIR := static/vendor/plotly
.PHONY: vendor-plotly
vendor-plotly: install
	@command -v npm >/dev/null || { echo "make vendor-plotly needs npm" >&2; exit 1; }
	@set -e; wanted=$$($(PY) -c 'import plotly.offline; print(plotly.offline.get_plotlyjs_version())'); \
	pinned=$$(node -p 'require("./vendor/plotly-bundle/package.json").dependencies["plotly.js"]'); \
	test "$$wanted" = "$$pinned" || { echo "the Python plotly draws with plotly.js $$wanted; vendor/plotly-bundle pins $$pinned: update package.json and run npm install there" >&2; exit 1; }; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp vendor/plotly-bundle/package.json vendor/plotly-bundle/package-lock.json vendor/plotly-bundle/entry.js vendor/plotly-bundle/build.js "$$tmp"/; \
	(cd "$$tmp" && npm ci --ignore-scripts --no-audit --no-fund --silent); \
	mkdir -p $(PLOTLY_DIR); \
	node "$$tmp/build.js" $(PLOTLY_DIR)/plotly.min.js; \
	cp "$$tmp/node_modules/plotly.js/LICENSE" $(PLOTLY_DIR)/LICENSE; \
	echo "Vendored plotly.js $$pinned (scatter, bar, scattergeo) into $(PLOTLY_DIR)/plotly.min.js"

## make screenshots: desktop and mobile PNGs of every page into docs/screenshots/, from the
## bundled snapshot in a throwaway database (needs Chromium: CHROMIUM_PATH, default /usr/bin/chromium)
.PHONY: screenshots
screenshots: install
	$(PY) docs/screenshots/make_screenshots.py
