# Wuhu government-service assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
RASA      := $(BIN)/rasa
# Rasa 3.6 needs Python 3.10: $PYTHON310, else the first python3.10 that really runs
# (pyenv's shim on PATH may not when 3.10 is not the global version).
ifeq ($(origin PYTHON310), undefined)
PYTHON310 := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
                $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { command -v $$p; break; }; done)
endif

TRAIN_DATA := data/nlu data/rules
# Code that shapes the features is an input too.
TRAIN_INPUTS := config.yml domain.yml bot/text.py bot/homophones.py $(wildcard bot/nlu/*.py) \
                $(shell find data/nlu data/rules data/dict -type f 2>/dev/null)
CATALOGUE_INPUTS := $(shell find data/catalogue -name '*.yml' 2>/dev/null)
export GOV_VAR_DIR ?= $(CURDIR)/var
DB_STAMP := $(GOV_VAR_DIR)/.catalogue-loaded
MODEL_STAMP := models/.trained
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.js -type f 2>/dev/null)
WEB_PAGE := web/dist/index.html

export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup setup-dev run run-cluster test-cluster haproxy shell actions catalogue train validate lint test test-python test-stories test-nlu evaluate-oos test-web-unit test-fast test-unit bench bench-load bench-catalogue bench-analytics fuzz bench-retrain lock clean wechat-menu web browser screenshots

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Run time (requirements.txt) and, for tests, benchmarks and checks, development (requirements-dev.txt).
$(VENV)/.installed: requirements.txt pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then echo "Python 3.10 is needed (Rasa 3.6). Install it (e.g. 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10." >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.0 setuptools==70.3.0 wheel
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed ## create .venv and install the pinned run-time requirements (once)

setup-dev: $(VENV)/.installed-dev ## also the pinned test and development tools (pytest, playwright, ruff, mypy, ...)

$(DB_STAMP): $(VENV)/.installed $(CATALOGUE_INPUTS)
	$(PY) -m bot load-catalogue
	@touch $@

catalogue: $(DB_STAMP) ## validate and load data/catalogue into the database

web/node_modules/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed to build the web chat (apt-get install nodejs npm)." >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_PAGE): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_PAGE) ## build the web chat page (web/ → web/dist, served at /chat/)

browser: ## Debian's chromium and a CJK font for the browser tests, each installed when missing
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk fontconfig"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing$$missing (Debian packages)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

haproxy: ## Debian's haproxy for the cluster profile (make run-cluster, tests/cluster), installed when missing
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing haproxy (Debian package)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq haproxy; \
	fi

$(MODEL_STAMP): $(VENV)/.installed $(TRAIN_INPUTS)
	$(RASA) train --data $(TRAIN_DATA) --out models
	@rm -f $${GOV_VAR_DIR:-var}/active_model  # a fresh build goes live, not the console's last pick
	@touch $@

train: $(MODEL_STAMP) ## train a model when data or config changed (and only then)

validate: $(VENV)/.installed ## rasa data validate
	$(PY) scripts/validate_data.py --data $(TRAIN_DATA) --fail-on-warnings

run: $(DB_STAMP) $(MODEL_STAMP) $(WEB_PAGE) ## install, load, train if needed, start action server + Rasa (Ctrl-C stops)
	@bash scripts/run.sh

NODES ?= 2
run-cluster: $(MODEL_STAMP) $(WEB_PAGE) haproxy ## the cluster profile: NODES (2) Rasa nodes behind HAProxy on :5005, on PostgreSQL, Redis, RabbitMQ (docs/deploy.md)
	@NODES=$(NODES) bash scripts/run-cluster.sh

shell: $(DB_STAMP) $(MODEL_STAMP) ## chat in the terminal (starts the action server too)
	@bash scripts/run.sh shell

lint: $(VENV)/.installed-dev ## ruff and mypy, with their settings in pyproject.toml
	$(BIN)/ruff check . && $(BIN)/mypy

test: lint validate $(VENV)/.installed-dev $(MODEL_STAMP) $(WEB_PAGE) browser haproxy ## everything: lint, validate, train, build the page, pytest (live servers, browser), conversation tests, held-out NLU
	$(MAKE) test-stories test-nlu test-web-unit test-python

test-web-unit: web/node_modules/.installed
	cd web && npm test

test-python: $(VENV)/.installed-dev $(MODEL_STAMP)
	$(PY) -m pytest

test-fast: $(VENV)/.installed-dev ## the tests that need no trained model, no browser and no training (a few minutes)
	$(PY) -m pytest -q -m "not e2e and not browser and not training"

test-unit: test-fast  # the former name

test-cluster: $(VENV)/.installed-dev $(MODEL_STAMP) haproxy ## the cluster profile's tests (PostgreSQL, Redis, RabbitMQ on this machine; skipped without them)
	$(PY) -m pytest tests/cluster -m cluster

test-stories: $(DB_STAMP) $(MODEL_STAMP)
	$(RASA) test core --stories tests/conversations --out results/stories --fail-on-prediction-errors

test-nlu: $(DB_STAMP) $(MODEL_STAMP)
	$(RASA) test nlu --nlu tests/nlu_heldout --out results/heldout
	$(PY) scripts/heldout_report.py results/heldout
	$(PY) scripts/evaluate_nlu.py "$$(ls -t models/*.tar.gz | head -1)" tests/nlu_heldout
	$(PY) -m scripts.evaluate_out_of_scope --gate 0.93 0.93

evaluate-oos: $(DB_STAMP) $(MODEL_STAMP) ## report (never fails): non-government questions that name no service, and service questions right (tests/nlu_heldout_oos, issue 14)
	$(PY) -m scripts.evaluate_out_of_scope

bench: $(VENV)/.installed-dev $(DB_STAMP) $(MODEL_STAMP) ## benchmarks: latency vs a bare Rasa server, WeChat overhead, retrain to live (tables)
	$(PY) bench/latency.py
	$(PY) bench/wechat_channel.py
	$(PY) bench/retrain_to_live.py

bench-load: $(MODEL_STAMP) ## throughput and latency at 1, 20 and 100 concurrent conversations vs a bare Rasa reference and a `rasa init` bot
	$(PY) bench/load.py

bench-catalogue: $(VENV)/.installed $(MODEL_STAMP) ## service search at 40, 500 and 2,000 catalogue items (synthetic distractors, temporary database)
	$(PY) bench/catalogue_scale.py

bench-analytics: $(VENV)/.installed ## analytics worker and every dashboard view at 10,000 and 100,000 generated conversations (temporary database)
	$(PY) bench/analytics_scale.py

fuzz: $(VENV)/.installed-dev $(MODEL_STAMP) ## fuzz every resident channel (10,000 generated inputs each; FUZZ_INPUTS=100 for a sample)
	$(PY) bench/fuzz_channels.py --inputs $${FUZZ_INPUTS:-10000}

bench-retrain: $(MODEL_STAMP) ## time from "retrain" to the new model answering (fine-tune and full)
	$(PY) bench/retrain_to_live.py

wechat-menu: $(VENV)/.installed ## push channels/wechat/menu.yml to the Official Account (needs WECHAT_APPID/APPSECRET)
	$(PY) -m channels.wechat menu push

screenshots: ## copy the browser tests' phone screenshots (results/screenshots) into docs/
	mkdir -p docs/screenshots && cp results/screenshots/*.png docs/screenshots/

lock: ## re-pin requirements.txt (run time) and requirements-dev.txt from the current .venv
	$(PY) scripts/lock.py

clean: ## remove trained models, databases and results (keeps .venv)
	rm -rf models/* models/.trained var results
