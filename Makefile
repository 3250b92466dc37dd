# Every target creates the virtualenv and installs the locked dependencies first, so that a fresh
# clone needs nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCENARIOS := $(sort $(wildcard scenarios/*.yaml))

.PHONY: install estate report test test-fast lint typecheck bench schema docs clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[notebooks,dev]'
	touch $(STAMP)

# The shipped example of docs/importing.md: the fixtures' MCP configs, IAM dump and cluster imported in turn,
# each merged into the last, then into the hand-written overlay. Byte-identical on every run;
# tests/test_import_estate.py runs the same steps and checks the committed file is what they write.
ESTATE_OVERLAY := scenarios/overlays/imported-estate.overlay.yaml
estate: $(STAMP)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/workbench import mcp tests/fixtures/mcp --as-of 2026-12-01 -o $$tmp/mcp.yaml && \
	$(BIN)/workbench import aws-iam tests/fixtures/aws/account-authorization-details.json \
		--merge $$tmp/mcp.yaml -o $$tmp/aws.yaml && \
	$(BIN)/workbench import k8s tests/fixtures/k8s/cluster.json \
		--agent-label app.kubernetes.io/component=agent --agent-annotation workbench.io/agent \
		--merge $$tmp/aws.yaml --merge $(ESTATE_OVERLAY) -o scenarios/imported-estate.yaml

report: $(STAMP) estate
	$(BIN)/workbench report $(SCENARIOS) --out reports/ --jobs 2

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite, in parallel over the machine's cores (pytest-xdist); CI runs this.
test: lint typecheck
	$(BIN)/python -m pytest -n auto

# The inner loop: everything but the tests marked slow (end-to-end reports, notebooks, process pools, dask).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto -m "not slow" -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Regenerate the committed JSON Schema, the scenario field reference and the framework mapping table.
schema: $(STAMP)
	$(BIN)/workbench schema --out workbench/model/scenario.schema.json
	$(BIN)/workbench schema --markdown --out docs/scenario-reference.md

docs: schema
	$(BIN)/python -c 'from workbench.findings.mapping_table import mapping_table_markdown as m; print(m(), end="")' > docs/framework-mapping.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
