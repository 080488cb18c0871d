# Treatytrack: `make run` to try it, `make test` to check it. Both set up everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The local PostgreSQL that `make test` uses unless DATABASE_URL says otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/treatytrack
CHROMIUM ?= /usr/bin/chromium
# One test process a core, up to four (pytest-xdist), each with its own test database; a
# file's tests stay together, so its fixtures are set up once.
PYTEST_ARGS ?= --numprocesses=auto --maxprocesses=4 --dist=loadfile

.PHONY: run test install lint format check-deploy serve worker bench clean map names messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The pinned requirements listed in pyproject.toml (plus an extra's), one per line.
REQUIREMENTS = $(BIN)/python -c 'import sys, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"].get(sys.argv[1], [])))'

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(REQUIREMENTS) run > $(VENV)/requirements.txt
	$(BIN)/pip install --quiet -r $(VENV)/requirements.txt
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(REQUIREMENTS) test > $(VENV)/requirements-test.txt
	$(BIN)/pip install --quiet -r $(VENV)/requirements-test.txt
	touch $@

install: $(VENV)/.installed

# axe-core, which the browser tests inject to check accessibility (package.json pins it).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "The accessibility tests need Node.js and npm: apt-get install -y npm"; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_defaults
	@# One demo account per role; the command refuses unless DEBUG is on.
	$(BIN)/python manage.py create_demo_accounts
	@echo "Treatytrack is at http://127.0.0.1:8000/ (Ctrl-C to stop)"
	@# The worker (alerts, the mission's mail: docs/alerts.md) in the background, the web
	@# server in front; mail is printed here. Ctrl-C stops both.
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py worker & worker=$$!; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# PostgreSQL from DATABASE_URL, else the local server; SQLite only when no
# PostgreSQL answers, and never under CI (REQUIRE_POSTGRES=1).
test: $(VENV)/.installed-test node_modules/.installed
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Browser tests need Debian's Chromium at $(CHROMIUM): apt-get install -y chromium"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q chromium >/dev/null || true; fi; \
	fi
	@url="$${DATABASE_URL:-$(TEST_DATABASE_URL)}"; \
	if $(BIN)/python -c "import sys, dj_database_url, psycopg2; c = dj_database_url.parse(sys.argv[1]); psycopg2.connect(dbname='postgres', user=c['USER'], password=c['PASSWORD'], host=c['HOST'], port=c['PORT'] or 5432, connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "Testing on PostgreSQL ($$url)"; export DATABASE_URL="$$url"; \
	elif [ "$${REQUIRE_POSTGRES:-0}" = 1 ]; then \
	  echo "No PostgreSQL answers at $$url, and REQUIRE_POSTGRES=1: stopping."; exit 1; \
	else \
	  echo "No PostgreSQL answers at $$url: running the tests on SQLite instead."; export DATABASE_URL=sqlite:///:memory:; \
	fi; \
	$(BIN)/ruff check . && $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# What `manage.py check --deploy` says under production settings.
check-deploy: $(VENV)/.installed
	DEBUG=false SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=treatytrack.example.org EMAIL_URL=smtp://mail.example.org:587?tls=1 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Rebuild the committed data the pages draw from public sources (needs npm / PyPI).
map: $(BIN)/python
	mkdir -p build && cd build && npm install --no-save --no-audit --no-fund world-atlas@2.0.2
	$(BIN)/python scripts/build_world_map.py

names: $(BIN)/python
	$(BIN)/pip install --quiet babel==2.19.0
	$(BIN)/python scripts/build_participant_names.py

# The interface in the six UN languages (docs/languages.md): gather every string
# into the catalogues of the five other languages, check them and compile them.
# Both the .po files and the compiled .mo files are committed. Run it again
# after changing any text: new strings come out empty (or "fuzzy", with a
# suggestion) and tests/test_i18n_catalogues.py fails until they are translated.
LOCALES := ar zh_Hans fr ru es
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext: apt-get install -y gettext"; exit 1; }
	$(BIN)/python manage.py makemessages $(addprefix --locale=,$(LOCALES)) --add-location=file --no-obsolete \
	  --ignore=.venv --ignore=node_modules --ignore=build --ignore=staticfiles --ignore=tests
	@# The extraction date would change every catalogue on every run.
	sed -i '/^"POT-Creation-Date: /d' locale/*/LC_MESSAGES/django.po
	@for po in locale/*/LC_MESSAGES/django.po; do \
	  printf '%s: ' "$$po"; msgfmt --check --statistics --output-file=/dev/null "$$po" || exit 1; \
	done
	$(BIN)/python manage.py compilemessages $(addprefix --locale=,$(LOCALES)) --ignore=.venv

# Production: static files collected (hashed, compressed), then gunicorn with
# gunicorn.conf.py; the worker runs beside it (`make worker`). Run `manage.py
# migrate` once per release before it, on one machine only (README, "Running in
# production").
serve: $(VENV)/.installed
	$(BIN)/python manage.py collectstatic --noinput -v0
	@# The release names every cache key and ETag: a new one never serves an old one's pages.
	RELEASE="$${RELEASE:-$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}" \
	  exec $(BIN)/gunicorn -c gunicorn.conf.py

# Production's background worker, a process of its own beside `make serve` (one or more,
# on any machine; README, "Running in production"): alerts and the mission's mail.
worker: $(VENV)/.installed
	exec $(BIN)/python manage.py worker

# The HTTP benchmark (bench/README.md): production server, real then large data, wrk.
bench: $(VENV)/.installed
	@if ! command -v wrk >/dev/null; then \
	  echo "The benchmark's load generator is Debian's wrk: apt-get install -y wrk"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q wrk >/dev/null || true; fi; \
	fi
	$(BIN)/python bench/bench_http.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache
