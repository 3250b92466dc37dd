"""Control designs as pure decision functions: `decide(request, state, now) -> Decision`.

`build_design(scenario, control, standing=...)` turns a scenario's `controls:` entry into a design; the
simulation needs nothing else from this package.
"""

from workbench.policy.base import (
    AccessRequest,
    AccessState,
    AllowAll,
    ControlDesign,
    CredentialMode,
    Decision,
    DenyAll,
    Outcome,
)
from workbench.policy.blocked import BlockList, block_decision, block_list
from workbench.policy.cedar import CedarDesign, build_cedar
from workbench.policy.cedar_entities import cedar_entities
from workbench.policy.cedar_schema import CedarNames, cedar_schema_json, cedar_schema_text
from workbench.policy.check import check_policies
from workbench.policy.factory import build_design, build_designs
from workbench.policy.intent_aware_jit import IntentAwareJitDesign
from workbench.policy.jit import JitDesign
from workbench.policy.rbac_step_up import RbacStepUpDesign
from workbench.policy.requests import declared_intent, make_request
from workbench.policy.risk import RISK_LEVELS, risk_at_least
from workbench.policy.standing import Grant, Standing
from workbench.policy.static_rbac import StaticRbacDesign

__all__ = [
    "RISK_LEVELS",
    "AccessRequest",
    "AccessState",
    "AllowAll",
    "BlockList",
    "CedarDesign",
    "CedarNames",
    "ControlDesign",
    "CredentialMode",
    "Decision",
    "DenyAll",
    "Grant",
    "IntentAwareJitDesign",
    "JitDesign",
    "Outcome",
    "RbacStepUpDesign",
    "Standing",
    "StaticRbacDesign",
    "block_decision",
    "block_list",
    "build_cedar",
    "build_design",
    "build_designs",
    "cedar_entities",
    "cedar_schema_json",
    "cedar_schema_text",
    "check_policies",
    "declared_intent",
    "make_request",
    "risk_at_least",
]
