# zhuisu — the two front-door commands are `make run` and `make test`; both set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 8000
EVENTS ?= 1000000
PYTEST_ARGS ?=
FUZZ_ARGS ?=

.PHONY: install run federation-demo test test-fast check i18n audit postgres browser bench bench-risk bench-startup bench-portal bench-peer bench-capture bench-federation bench-storage fuzz clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The PostgreSQL server binaries the tests start a throwaway server from (Debian's package).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then \
		echo "installing the PostgreSQL server from Debian's packages"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	fi

run: install
	$(BIN)/zhuisu db upgrade
	$(BIN)/zhuisu demo load
	@echo ""
	@echo "  zhuisu is starting on http://$(HOST):$(PORT)/"
	@echo "  API docs (OpenAPI):  http://$(HOST):$(PORT)/docs"
	@echo "  demo events:         curl -H \"Authorization: Bearer $$(cat var/demo-token)\" http://$(HOST):$(PORT)/events"
	@echo "  demo token:          $$(cat var/demo-token)   (the other roles' in var/demo-*-token: see the README)"
	@echo ""
	$(BIN)/zhuisu serve --host $(HOST) --port $(PORT)

# A province and two cities, linked, with demo data: three nodes on ports 8101-8103 until Ctrl-C.
federation-demo: install
	$(BIN)/python -m scripts.federation_demo

# What the browser tests need beside the Python playwright package (a dev dependency): Debian's chromium (never
# `playwright install`: no browser downloads) and CJK fonts for readable screenshots.
browser: install
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing chromium from Debian's packages"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

# The checks run first: a formatting, lint, type or architecture error fails the build before the suite runs.
test: check postgres browser
	$(BIN)/pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -q -x -k "not postgresql" $(PYTEST_ARGS)

check: install
	$(BIN)/ruff format --check zhuisu tests bench scripts
	$(BIN)/ruff check zhuisu tests bench scripts
	$(BIN)/mypy zhuisu tests bench scripts
	$(BIN)/pytest -q -p no:xdist tests/test_architecture.py
	$(BIN)/python scripts/architecture_doc.py --check
	$(BIN)/python -m scripts.i18n --check

# The message catalogs (zhuisu/locale): extract the messages of the code and templates with Babel, merge them into
# the zh_CN and en catalogs (new ones untranslated: fill them in), compile the .mo files the node reads.
i18n: install
	$(BIN)/python -m scripts.i18n

# Known vulnerabilities of the pinned dependencies (pip-audit, in its own virtualenv so that it is not one of ours).
# It needs PyPI's per-release JSON API or OSV; neither answers on the CI network, so it is not part of make check.
audit:
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/pip install --quiet pip-audit==2.10.1
	.venv-audit/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict

# Capture and raw insert are measured on the first 100,000 events (--capture-events); trace and impact on all EVENTS.
# More options (e.g. BENCH_ARGS="--db sqlite --fanout 10000"): python -m bench --help.
bench: install postgres
	$(BIN)/python -m bench --events $(EVENTS) $(BENCH_ARGS)
	$(BIN)/python -m bench.federation $(FEDERATION_ARGS)

# schemathesis over the OpenAPI of a node started on a fresh SQLite database with the demo content (in a temporary
# directory), as an enterprise, a regulator and the admin: no 5xx, and the statuses, content types and bodies the schema
# documents. Not part of `make test` (minutes; its examples vary with the seed). FUZZ_ARGS: python scripts/fuzz.py --help.
fuzz: install
	$(BIN)/python scripts/fuzz.py $(FUZZ_ARGS)

# Risk rules: capture with the rules off and on, and a full scan of a clean chain (docs/oversight.md).
bench-risk: install postgres
	$(BIN)/python -m bench.risk --events $(or $(RISK_EVENTS),100000) --capture-events 20000 $(BENCH_ARGS)

# The public product page under load, both databases: the story builder catching up, cold codes (each requested once),
# warm and revalidated (bench/portal_load.py).
bench-portal: install postgres
	$(BIN)/python -m bench.portal_load --events $(or $(PORTAL_EVENTS),5000) --workers 2 --connections 8 $(BENCH_ARGS)

# HTTP capture with 4 clients (documents of 100 events, 2 server processes) beside zhuisu import of the same events.
bench-capture: install postgres
	$(BIN)/python -m bench.http_capture $(BENCH_ARGS)

# Bytes per event on PostgreSQL, table by table, and in the Parquet export (the figures docs/scale.md multiplies).
bench-storage: install postgres
	$(BIN)/python -m bench.storage $(BENCH_ARGS)

# Federation: exchange throughput (child → parent) against the parent's capture rate, and lag under steady load.
bench-federation: install
	$(BIN)/python -m bench.federation $(FEDERATION_ARGS)

# Whole-process zhuisu import against QU4RTET in one run (../shared/bench/peer-quartet; skipped without ../shared).
bench-peer: install
	$(BIN)/python -m bench.peer

# Start-up of the zhuisu command: --help, a command without a database, an import of one event (whole processes).
bench-startup: install
	$(BIN)/python -m bench.startup $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
