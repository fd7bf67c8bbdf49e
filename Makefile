# The README's two commands: `make run` (set up, ingest the sample brand, serve the app)
# and `make test` (set up, run the whole suite). Both are idempotent and quick the second time.
# `make test-fast` runs the unit tests alone (no model loaded); `make lint` checks the rest.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.cmassist-installed
# llama-cpp-python compiles from source; a native build can use CPU instructions that
# other machines lack ("Illegal instruction"), so target a portable AVX2 baseline.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF
# Pinned first, so sentence-transformers does not pull a CUDA build of torch.
TORCH_SPEC ?= torch==2.13.0
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: install prepare run test test-fast lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cmassist needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -c 'from cmassist.adapters.llm.llama import default_gguf_path; print("GGUF model:", default_gguf_path())'
	$(PY) -m cmassist.adapters.embeddings.onnx_runtime
	touch $(STAMP)

install: $(STAMP)

prepare: install
	$(PY) -m cmassist ingest brand_guidelines --brand boreale
	$(PY) -m cmassist inbox import brand_guidelines/inbox/sample.jsonl --brand boreale

# On a fresh install, serve creates the first admin from these (ignored once users exist).
CMASSIST_ADMIN_USER ?= admin
CMASSIST_ADMIN_PASSWORD ?= cmassist-demo

run: prepare
	CMASSIST_ADMIN_USER="$(CMASSIST_ADMIN_USER)" CMASSIST_ADMIN_PASSWORD="$(CMASSIST_ADMIN_PASSWORD)" $(PY) -m cmassist serve

# Unit tests embed with the fake embedder and load no model; tests marked `integration`
# (real embedding model) or `slow` (the GGUF, servers, the browser) run in a second session
# with the real models. `make test` runs both at once, the second one's report printed
# after the first's (they share no file, port or database); `make test SERIAL=1` runs them
# one after the other.
FAST := not integration and not slow

test: install
ifdef SERIAL
	status=0; $(PY) -m pytest -m "$(FAST)" || status=$$?; \
	$(PY) -m pytest -m "not ($(FAST))" || status=$$?; exit $$status
else
	@log=$$(mktemp); \
	$(PY) -m pytest -m "not ($(FAST))" > $$log 2>&1 & real=$$!; \
	trap '[ -z "$$real" ] || kill $$real 2>/dev/null; rm -f $$log' EXIT INT TERM; \
	status=0; $(PY) -m pytest -m "$(FAST)" || status=$$?; \
	echo "== the tests with the real models (integration, slow):"; \
	wait $$real || status=$$?; real=; cat $$log; exit $$status
endif

test-fast: install
	$(PY) -m pytest -m "$(FAST)"

# Style, the import contracts of [tool.importlinter] and the types of domain and services.
lint: install
	status=0; $(VENV)/bin/ruff check src tests bench app.py || status=$$?; \
	$(VENV)/bin/lint-imports || status=$$?; \
	$(VENV)/bin/mypy || status=$$?; exit $$status

format: install
	$(VENV)/bin/ruff format src tests bench app.py

bench: prepare
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
