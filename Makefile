# The two commands: `make run` and `make test`. Both create .venv and install when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test install lint typecheck unit bench mutate chat clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SCR Bot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/scrbot run

chat: install
	$(BIN)/scrbot chat

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit

bench: install
	$(BIN)/python bench/store.py
	$(BIN)/python bench/slack_ack.py
	$(BIN)/python bench/teams_ack.py
	$(BIN)/python bench/mail_ingest.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/hostile_mail.py
	$(BIN)/python bench/crash_run.py
	$(BIN)/python bench/cli_start.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/anonymisation.py

# Mutation testing of the pure core (minutes; not part of `make test`): bench/results/mutation.json.
mutate: install
	$(BIN)/python bench/mutation.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache mutants
