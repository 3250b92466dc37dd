"""Findings' evidence reads as words in the Markdown and HTML reports, for every key the shipped rules use."""

from __future__ import annotations

import json

from conftest import REPO

from workbench.report.evidence import EVIDENCE, evidence_in_words


def test_every_evidence_key_of_the_shipped_reports_has_words() -> None:
    keys = set()
    for path in sorted((REPO / "reports").glob("*/results.json")):
        for finding in json.loads(path.read_text(encoding="utf-8"))["findings"]:
            keys |= set(finding.get("evidence", {}))
    assert keys, "the shipped reports carry evidence"
    assert sorted(keys - set(EVIDENCE)) == []


def test_evidence_reads_as_words_not_as_keys_and_raw_numbers() -> None:
    assert evidence_in_words("sensitive_weight", 95.0) == ("weight of the sensitive data it can read", "95")
    assert evidence_in_words("how", "holds") == ("access", "holds a copy of the secret")
    assert evidence_in_words("live_approvals", "") == ("live approvals", "none")
    assert evidence_in_words("beyond", "read:a write:b") == ("permissions beyond its task types", "read:a, write:b")
    assert evidence_in_words("token_ttl_s", 3600.0) == ("token lifetime", "1h")
    assert evidence_in_words("utilisation", 0.0596) == ("approver utilisation", "6%")
    assert evidence_in_words("widens", False) == ("widens the delegator's access", "no")
    assert evidence_in_words("new_thing_s", 90.0) == ("new thing", "1m30s")
