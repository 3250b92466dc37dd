"""Rules about governance over an agent's life: sign-off, expiry, ownership, logging, revocation, acceptance.

WB105 no approval or business purpose, WB106 approval expired, WB114 no revocation trigger, WB115 no audit
logging, WB117 orphaned agent, WB119 accepted risk expired. All are judged against the scenario's as_of date.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbench.findings.acceptance import acceptance_live, acceptance_subject
from workbench.findings.approvals import approval_live
from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.graph.vocabulary import Hop
from workbench.model import Human

__all__ = [
    "approval_expired",
    "expired_acceptance",
    "no_approval_or_purpose",
    "no_audit_logging",
    "no_revocation_trigger",
    "orphaned_agent",
]


def no_approval_or_purpose(ctx: RuleContext) -> Iterator[Finding]:
    """WB105: nobody ever approved the agent, or it states no business purpose."""
    for agent in ctx.scenario.agents:
        approvals = ctx.approvals_of(agent.id)
        purpose = (agent.business_purpose or "").strip()
        reasons = [
            text for text, missing in (("no approval", not approvals), ("no business purpose", not purpose)) if missing
        ]
        if not reasons:
            continue
        yield ctx.finding(
            "WB105",
            agent.id,
            f"Agent '{agent.id}' has {' and '.join(reasons)}.",
            evidence={"approvals": len(approvals), "business_purpose": bool(purpose)},
        )


def approval_expired(ctx: RuleContext) -> Iterator[Finding]:
    """WB106: an approval whose expiry date is before as_of."""
    as_of = ctx.scenario.as_of
    for index, approval in enumerate(ctx.scenario.approvals):
        if approval.expires is None or approval_live(approval, as_of=as_of):
            continue
        days = (as_of - approval.expires).days
        yield ctx.finding(
            "WB106",
            approval.id,
            f"Approval '{approval.id}' of agent '{approval.agent}' by '{approval.approver}' expired on "
            f"{approval.expires.isoformat()}, {days} day(s) before {as_of.isoformat()}.",
            evidence={
                "agent": approval.agent,
                "approver": approval.approver,
                "expires": approval.expires.isoformat(),
                "days_expired": days,
            },
            path=(Hop(approval.agent, "approved_by", approval.approver),),
            at=("approvals", index, "expires"),
        )


def no_revocation_trigger(ctx: RuleContext) -> Iterator[Finding]:
    """WB114: no revocation trigger names the agent or '*'."""
    named = {t.identity for t in ctx.scenario.revocation_triggers}
    for agent in ctx.scenario.agents:
        if agent.id in named or "*" in named:
            continue
        yield ctx.finding(
            "WB114",
            agent.id,
            f"Nothing revokes the credentials of agent '{agent.id}': no revocation trigger names it.",
            evidence={"revocation_triggers": 0},
        )


def no_audit_logging(ctx: RuleContext) -> Iterator[Finding]:
    """WB115: the agent's actions are not logged for audit."""
    for agent in ctx.scenario.agents:
        if agent.audit_logging:
            continue
        yield ctx.finding(
            "WB115",
            agent.id,
            f"Actions of agent '{agent.id}' are not logged for audit.",
            evidence={"audit_logging": False},
            at=ctx.path_to(agent.id, "audit_logging"),
        )


def orphaned_agent(ctx: RuleContext) -> Iterator[Finding]:
    """WB117: the agent has no owner, or its owner has been offboarded."""
    for agent in ctx.scenario.agents:
        owner = ctx.scenario.by_id.get(agent.owner) if agent.owner is not None else None
        if agent.owner is None:
            status, message = "missing", f"Agent '{agent.id}' has no owner."
        elif not isinstance(owner, Human):
            status, message = "unknown", f"Owner '{agent.owner}' of agent '{agent.id}' is not a known person."
        elif owner.offboarded:
            status, message = "offboarded", f"Owner '{agent.owner}' of agent '{agent.id}' has been offboarded."
        else:
            continue
        evidence: dict[str, str | int | float | bool] = {"owner_status": status}
        if agent.owner is not None:
            evidence["owner"] = agent.owner
        yield ctx.finding("WB117", agent.id, message, evidence=evidence, at=ctx.path_to(agent.id, "owner"))


def expired_acceptance(ctx: RuleContext) -> Iterator[Finding]:
    """WB119: an accepted risk past its expiry date (it then suppresses nothing; see `acceptance`)."""
    as_of = ctx.scenario.as_of
    for index, accepted in enumerate(ctx.scenario.accepted_risks):
        if acceptance_live(accepted, scenario=ctx.scenario):
            continue
        entity, scope = acceptance_subject(accepted)
        yield ctx.finding(
            "WB119",
            entity,
            f"The acceptance of {accepted.finding} for {scope} by '{accepted.owner}' expired on "
            f"{accepted.expires.isoformat()}; the finding is raised again.",
            key={"finding": accepted.finding},
            evidence={
                "owner": accepted.owner,
                "expires": accepted.expires.isoformat(),
                "days_expired": (as_of - accepted.expires).days,
                "justification": accepted.justification,
            },
            at=("accepted_risks", index, "expires"),
            entity_kind=ctx.scenario.kinds.get(entity, "scenario"),
        )
