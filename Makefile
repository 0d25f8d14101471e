# genemoe: `make demo` and `make test` work on a fresh clone (they set up .venv first).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# where pip finds the CPU build of torch: this machine's pip is configured with a local
# wheelhouse; elsewhere, make TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
TORCH_INDEX ?=

.PHONY: install browser demo test test-slow bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first: the pinned 2.13.0 is a CPU build; a looser pin pulls CUDA wheels
	$(BIN)/python -m pip install -q torch==2.13.0 $(TORCH_INDEX)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[explain,test,image]'
	touch $(STAMP)

demo: install
	$(BIN)/genemoe demo --out demo_out

# headless Chromium for tests/report/test_browser.py (Debian package `chromium`); never fails:
# without root or apt-get the browser test skips and says why
browser:
	@command -v chromium >/dev/null || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser test will skip"

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-slow: install
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/run.py --out bench_out

lint: install
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) demo_out bench_out .pytest_cache
