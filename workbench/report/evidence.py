"""A finding's evidence in words: each key the rules use, declared once with the label a reader sees and how
its value reads (`sensitive_weight: 95.0` becomes "weight of the sensitive data it can send out: 95").

Rules keep machine-readable evidence (results.json and SARIF carry it unchanged); only the Markdown and HTML
reports read it through this table. A key no entry names still reads: underscores become spaces, and a
value's form (a duration in seconds, an empty list) is recognised from its suffix.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from workbench.model import format_duration
from workbench.report.numbers import fmt

__all__ = ["EVIDENCE", "EvidenceLabel", "evidence_in_words"]

Form = Literal["text", "number", "seconds", "share", "permissions", "ids", "yes_no", "ratio"]


class EvidenceLabel(NamedTuple):
    """What an evidence key means to a reader, and the form its value takes."""

    label: str
    form: Form = "text"


EVIDENCE: dict[str, EvidenceLabel] = {
    "agent": EvidenceLabel("agent"),
    "agent_count": EvidenceLabel("agents sharing it", "number"),
    "agents": EvidenceLabel("agents", "ids"),
    "approvals": EvidenceLabel("approvals on record", "number"),
    "approver": EvidenceLabel("approver"),
    "attenuated": EvidenceLabel("delegation attenuated", "yes_no"),
    "audit_logging": EvidenceLabel("actions logged for audit", "yes_no"),
    "beyond": EvidenceLabel("permissions beyond its task types", "permissions"),
    "beyond_count": EvidenceLabel("permissions beyond its task types (count)", "number"),
    "beyond_weight": EvidenceLabel("weight of what lies beyond its task types", "number"),
    "binding": EvidenceLabel("binding"),
    "borrowed": EvidenceLabel("permissions borrowed through the tool", "permissions"),
    "borrowed_count": EvidenceLabel("permissions borrowed (count)", "number"),
    "borrowed_weight": EvidenceLabel("weight of what it borrows", "number"),
    "business_purpose": EvidenceLabel("business purpose stated", "yes_no"),
    "compromises": EvidenceLabel("compromises simulated", "number"),
    "configs": EvidenceLabel("configs", "number"),
    "control": EvidenceLabel("design"),
    "days_expired": EvidenceLabel("days since it expired", "number"),
    "delegate": EvidenceLabel("delegate"),
    "delegator": EvidenceLabel("delegator"),
    "effective_count": EvidenceLabel("effective permissions", "number"),
    "environment": EvidenceLabel("environment"),
    "expires": EvidenceLabel("expires"),
    "exposure_mean_score_h": EvidenceLabel("mean exposure per run (score-hours)", "number"),
    "file": EvidenceLabel("file"),
    "finding": EvidenceLabel("accepted finding"),
    "how": EvidenceLabel("access"),
    "justification": EvidenceLabel("justification"),
    "kind": EvidenceLabel("kind"),
    "legacy": EvidenceLabel("legacy account", "yes_no"),
    "lifetime": EvidenceLabel("credential lifetime"),
    "limit": EvidenceLabel("threshold", "number"),
    "live_approvals": EvidenceLabel("live approvals", "ids"),
    "max_age": EvidenceLabel("longest lifetime allowed"),
    "outbound": EvidenceLabel("ways to send data out", "permissions"),
    "owner": EvidenceLabel("owner"),
    "owner_status": EvidenceLabel("owner's status"),
    "pointer": EvidenceLabel("pointer"),
    "prod_access": EvidenceLabel("production access", "permissions"),
    "prod_resources": EvidenceLabel("production resources reached", "number"),
    "prod_weight": EvidenceLabel("weight of the production resources", "number"),
    "ratio": EvidenceLabel("token lifetime / mean task duration", "ratio"),
    "requests": EvidenceLabel("approval requests", "number"),
    "resources": EvidenceLabel("resources reached", "number"),
    "revocation_triggers": EvidenceLabel("revocation triggers", "number"),
    "role": EvidenceLabel("role"),
    "rotation": EvidenceLabel("rotation period"),
    "runs": EvidenceLabel("runs", "number"),
    "scope_count": EvidenceLabel("permissions in the delegation's scope", "number"),
    "secret": EvidenceLabel("secret"),
    "sensitive": EvidenceLabel("sensitive data it can read", "permissions"),
    "sensitive_weight": EvidenceLabel("weight of the sensitive data it can read", "number"),
    "service_account": EvidenceLabel("service account"),
    "shared_as": EvidenceLabel("shared as"),
    "sla_p95_s": EvidenceLabel("p95 wait the approvers promise", "seconds"),
    "standing_in": EvidenceLabel("held standing in designs", "ids"),
    "stored_in": EvidenceLabel("copy stored in"),
    "task_mean_s": EvidenceLabel("mean task duration", "seconds"),
    "task_types": EvidenceLabel("task types declared", "number"),
    "token_ttl_s": EvidenceLabel("token lifetime", "seconds"),
    "tool": EvidenceLabel("tool"),
    "tool_credential": EvidenceLabel("the tool's own credential"),
    "tool_runs_as": EvidenceLabel("account the tool runs as"),
    "unused": EvidenceLabel("permissions no task type uses", "permissions"),
    "unused_count": EvidenceLabel("permissions no task type uses (count)", "number"),
    "unused_weight": EvidenceLabel("weight of the unused permissions", "number"),
    "utilisation": EvidenceLabel("approver utilisation", "share"),
    "via": EvidenceLabel("reached through"),
    "wait_p95_s": EvidenceLabel("p95 wait for an approver", "seconds"),
    "widens": EvidenceLabel("widens the delegator's access", "yes_no"),
}
"""Every evidence key of the shipped rules (a test checks none is missing)."""

_WORDS = {
    "how": {"holds": "holds a copy of the secret", "reads": "can read the secret"},
    "via": {"runs_as": "an identity that runs as it"},
    "stored_in": {"env": "an environment variable", "agent_config": "the agent's configuration", "code": "code"},
}
"""Values that are vocabulary, in words."""


def evidence_in_words(key: str, value: object) -> tuple[str, str]:
    """The label and the value of one evidence item as a reader reads them."""
    entry = EVIDENCE.get(key) or _guess(key)
    if isinstance(value, bool) or entry.form == "yes_no":
        return entry.label, "yes" if value in (True, "True", "true", "yes") else "no"
    words = _WORDS.get(key, {})
    if isinstance(value, str) and value in words:
        return entry.label, words[value]
    if entry.form == "seconds" and isinstance(value, int | float):
        return entry.label, format_duration(float(value))
    if entry.form == "share" and isinstance(value, int | float):
        return entry.label, f"{value:.0%}"
    if entry.form == "ratio" and isinstance(value, int | float):
        return entry.label, f"{value:.3g} times"
    if entry.form in ("permissions", "ids"):
        items = str(value).split()
        return entry.label, ", ".join(items) if items else "none"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return entry.label, fmt(int(value))  # a weight of 95.0 reads 95
    if isinstance(value, int | float):
        return entry.label, fmt(value)
    text = str(value)
    return entry.label, text if text.strip() else "none"


def _guess(key: str) -> EvidenceLabel:
    if key.endswith("_s"):
        return EvidenceLabel(key.removesuffix("_s").replace("_", " "), "seconds")
    return EvidenceLabel(key.replace("_", " "))
