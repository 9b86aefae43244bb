# shuzhi — two commands: `make run` (demo on embedded SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint bench clean

$(PY):
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || bin/system-packages python3-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-deps: $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -c constraints.txt -e ".[test]"
	@touch $@

run: $(VENV)/.run-deps
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo
	@echo "打开 http://127.0.0.1:$(PORT)/ ，用上面的演示账号登录。按 Ctrl+C 停止。"
	PORT=$(PORT) bin/serve

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run -v0

test: $(VENV)/.test-deps lint
	@bin/system-packages chromium fonts-noto-cjk redis-server
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.test-deps
	$(PY) manage.py collectstatic --noinput -v0
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles
