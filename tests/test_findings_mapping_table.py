"""The generated framework mapping table in docs/ matches the rules and catalog that reports cite."""

from __future__ import annotations

from pathlib import Path

from workbench.findings.mapping_table import mapping_table_markdown
from workbench.findings.rules import RULES
from workbench.frameworks import load_catalog

REPO = Path(__file__).resolve().parents[1]


def test_committed_mapping_table_is_current() -> None:
    assert (REPO / "docs/framework-mapping.md").read_text() == mapping_table_markdown(), "run `make docs`"


def test_every_rule_and_every_mapped_id_appears_in_the_table() -> None:
    table = mapping_table_markdown()
    catalog = load_catalog()
    for rule in RULES:
        # each rule's row carries the anchor SARIF's helpUri points at
        assert f'| <a id="{rule.id.lower()}"></a>{rule.id} | {rule.title} |' in table
        if rule.id in catalog.rule_ids:
            for ids in catalog.mapping(rule.id).refs.values():
                assert all(f"`{entry_id}`" in table for entry_id in ids)
