"""Accepted risks: a finding an owner knowingly accepted is kept, but marked suppressed until the expiry date.

An acceptance matches a finding when it names the finding's rule and either its entity or no entity (every
entity). Only acceptances still live on the scenario's as_of date suppress; an expired one suppresses
nothing and is itself raised again as WB119 (lifecycle.expired_acceptance).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from workbench.findings.finding import Finding, Suppression
from workbench.model import AcceptedRisk, Scenario

__all__ = ["acceptance_live", "acceptance_subject", "apply_acceptances", "matching_acceptance"]


def acceptance_live(accepted: AcceptedRisk, *, scenario: Scenario) -> bool:
    """True until the day after `expires` ("the date after which the finding is raised again")."""
    return accepted.expires >= scenario.as_of


def acceptance_subject(accepted: AcceptedRisk) -> tuple[str, str]:
    """The entity a finding about the acceptance is filed under ('*' for every entity), and how to say it."""
    if accepted.entity is None:
        return "*", "every entity"
    return accepted.entity, f"'{accepted.entity}'"


def matching_acceptance(scenario: Scenario, finding: Finding) -> tuple[int, AcceptedRisk] | None:
    """The first live acceptance (in file order) covering `finding`, with its index; None if there is none."""
    for index, accepted in enumerate(scenario.accepted_risks):
        if accepted.finding != finding.rule_id or accepted.entity not in (None, finding.entity_id):
            continue
        if acceptance_live(accepted, scenario=scenario):
            return index, accepted
    return None


def apply_acceptances(scenario: Scenario, findings: Iterable[Finding]) -> list[Finding]:
    """The findings, each live-accepted one carrying its `Suppression`; nothing is dropped."""
    out = []
    for finding in findings:
        match = matching_acceptance(scenario, finding)
        if match is not None:
            index, accepted = match
            suppression = Suppression(
                justification=accepted.justification,
                owner=accepted.owner,
                expires=accepted.expires.isoformat(),
                yaml_path=("accepted_risks", index),
            )
            finding = dataclasses.replace(finding, suppression=suppression)
        out.append(finding)
    return out
