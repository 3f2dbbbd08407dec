# One command each on a fresh machine: `make run`, `make test`, `make lint`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Parallel test processes (pytest-xdist); each has its own database, Redis and servers.
PYTEST_WORKERS ?= 2
# torch is the CPU build, named by its local version label, from the index that serves it.
# For a CUDA build: TORCH_VERSION=2.13.0 TORCH_INDEX_URL=https://pypi.org/simple
TORCH_VERSION ?= 2.13.0+cpu
TORCH_INDEX_URL ?= https://download.pytorch.org/whl/cpu
# The browser the Chromium tests drive.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install system-run system-test run test test-python test-js lint format

# System packages (Chromium, Node.js, python3-venv): installed when missing and allowed,
# else the exact command to run is printed at once.
system-run:
	@sh scripts/system-packages.sh run

system-test:
	@sh scripts/system-packages.sh test

$(STAMP): pyproject.toml constraints.txt | system-run
	test -x $(PY) || python3 -m venv $(VENV)
	# The CPU build of torch first, so nothing pulls a CUDA build; an unreachable index is
	# skipped when the wheel is found elsewhere (pip's own find-links or a local index).
	$(PY) -m pip install -q --retries 1 --timeout 15 --extra-index-url $(TORCH_INDEX_URL) \
	  "torch==$(TORCH_VERSION)"
	$(PY) -m pip install -q -c constraints.txt -e ".[train,test]"
	touch $(STAMP)

install: system-test $(STAMP) extension/node_modules/.installed chain/node_modules/.installed server/node_modules/.installed

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(STAMP)
	$(PY) -m server.launcher

test: install test-js test-python

test-python: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-js: extension/node_modules/.installed
	cd extension && npm test

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	cd extension && npm run lint
	cd server && npm run lint
	cd chain && npm run lint

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
