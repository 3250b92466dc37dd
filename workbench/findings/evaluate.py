"""Run every rule over a scenario (and a simulation result, if given) and apply the accepted risks.

A rule that cannot be evaluated raises RuleError naming it: a broken rule must never look like "no finding".
Only the failures a rule's own code can cause (lookups, attributes, types, values, arithmetic) are turned
into RuleError; a ScenarioError (e.g. an invalid Cedar policy file a rule had to load) passes through
unchanged, since it already says which file and line to fix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from workbench.errors import RuleError
from workbench.findings import exposure, hygiene, imported, lifecycle, operations, privilege, secrets
from workbench.findings.acceptance import apply_acceptances
from workbench.findings.access import AccessView
from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding, FindingSet
from workbench.findings.rules import rule
from workbench.frameworks import Catalog, load_catalog
from workbench.graph.index import AccessIndex
from workbench.model import Scenario

if TYPE_CHECKING:  # the rules read its frames; importing analysis at run time would load the simulator
    from workbench.analysis import SimulationResult

__all__ = ["CHECKS", "Check", "evaluate"]

Check = Callable[[RuleContext], Iterable[Finding]]
"""A rule's check: reads the context, yields findings of that one rule."""

CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "WB001": hygiene.unreferenced_entities,
        "WB002": hygiene.stale_acceptances,
        "WB101": privilege.over_privileged_agent,
        "WB102": secrets.standing_secret_access,
        "WB103": secrets.long_lived_secret,
        "WB104": secrets.secret_in_agent_config,
        "WB105": lifecycle.no_approval_or_purpose,
        "WB106": lifecycle.approval_expired,
        "WB107": privilege.access_beyond_approval,
        "WB108": secrets.shared_identity,
        "WB109": privilege.broad_service_account,
        "WB110": privilege.widening_delegation,
        "WB111": privilege.confused_deputy,
        "WB112": exposure.lethal_trifecta,
        "WB113": exposure.untrusted_consequential_actions,
        "WB114": lifecycle.no_revocation_trigger,
        "WB115": lifecycle.no_audit_logging,
        "WB116": privilege.cross_environment_access,
        "WB117": lifecycle.orphaned_agent,
        "WB118": exposure.high_impact_without_approval,
        "WB119": lifecycle.expired_acceptance,
        "WB120": imported.inline_mcp_secret,
        "WB121": imported.shared_mcp_secret,
        "WB122": imported.static_mcp_header,
        "WB123": imported.agent_role_with_every_action,
        "WB124": imported.cluster_admin_agent,
        "WB201": operations.saturated_approver_queue,
        "WB202": operations.long_lived_tokens,
        "WB203": operations.exposure_above_threshold,
    }
)
"""The check of every rule in `RULES`, by rule id."""

_RULE_BUGS = (LookupError, AttributeError, TypeError, ValueError, ArithmeticError)

_JUDGE_OTHERS = frozenset({"WB002"})
"""Rules that read the other rules' findings: they run last, with those findings in the context."""


def evaluate(
    scenario: Scenario,
    *,
    graph_index: AccessIndex | None = None,
    simulation: SimulationResult | None = None,
    catalog: Catalog | None = None,
    checks: Mapping[str, Check] | None = None,
) -> FindingSet:
    """Every finding of `scenario`, accepted risks applied, in canonical order.

    `graph_index` is `workbench.graph.compile_access(scenario)` (compiled here if not given). Simulation rules
    run only when `simulation` (a `workbench.analysis.SimulationResult`) is given. `catalog` supplies framework
    refs (the shipped one by default). `checks` replaces the built-in checks (for tests and extensions).
    """
    ctx = RuleContext(
        scenario=scenario,
        access=AccessView.of(scenario, graph_index),
        simulation=simulation,
        catalog=load_catalog() if catalog is None else catalog,
    )
    chosen = CHECKS if checks is None else checks
    ran: list[str] = []
    found: list[Finding] = []
    for rule_id in sorted(chosen, key=lambda r: (r in _JUDGE_OTHERS, r)):
        if rule(rule_id).reads == "simulation" and simulation is None:
            continue
        here = dataclasses.replace(ctx, earlier=tuple(found), ran=tuple(ran)) if rule_id in _JUDGE_OTHERS else ctx
        found.extend(_run(rule_id, chosen[rule_id], here))
        ran.append(rule_id)
    return FindingSet.of(scenario.name, apply_acceptances(scenario, found), ran)


def _run(rule_id: str, check: Check, ctx: RuleContext) -> list[Finding]:
    """One rule's findings, or RuleError naming it."""
    try:
        findings = list(check(ctx))
    except RuleError:
        raise
    except _RULE_BUGS as exc:
        raise RuleError(f"{rule_id} ({rule(rule_id).title}) could not be evaluated: {exc!r}") from exc
    for finding in findings:
        if not isinstance(finding, Finding) or finding.rule_id != rule_id:
            raise RuleError(f"{rule_id}: its check produced {finding!r}, which is not a finding of {rule_id}")
    return findings
