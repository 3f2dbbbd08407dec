# One command each on a fresh machine: `make run`, `make test`, `make lint`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test test-python test-js lint format

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	# The CPU build of torch first, from its pin, so nothing pulls a CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e ".[train,test]"
	touch $(STAMP)

install: $(STAMP) extension/node_modules/.installed chain/node_modules/.installed

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(STAMP)
	$(PY) -m server.launcher

test: install test-js test-python

test-python: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-js: extension/node_modules/.installed
	cd extension && npm test

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	cd extension && npm run lint

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
