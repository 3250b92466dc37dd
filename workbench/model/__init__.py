"""The scenario language: pydantic models, safe loading with file:line errors, and JSON Schema export."""

from workbench.model.access import Approval, BlockedAction, Delegation, RevocationTrigger, Role
from workbench.model.assets import Dataset, Secret, Tool, ToolAccess
from workbench.model.common import ACTIONS, Action, Distribution, Permission, RiskLevel, Sensitivity
from workbench.model.controls import (
    BASELINE_KIND,
    CONTROL_KINDS,
    Cedar,
    Control,
    ControlModel,
    IntentAwareJit,
    Jit,
    RbacStepUp,
    StaticRbac,
    TemplateLink,
    kinds_with_parameter,
)
from workbench.model.durations import format_duration, parse_duration, parse_rate
from workbench.model.identities import Agent, CredentialRef, Human, ServiceAccount
from workbench.model.json_schema import (
    field_reference_markdown,
    scenario_json_schema,
    scenario_json_schema_text,
)
from workbench.model.loading import LoadLimits, load_scenario, parse_scenario
from workbench.model.scenario import AcceptedRisk, Budget, Scenario, Simulation, Thresholds, Weights
from workbench.model.threats import Attacker, Threat
from workbench.model.workload import ApproverPool, Arrival, Services, Step, TaskType, Workload

__all__ = [
    "ACTIONS",
    "BASELINE_KIND",
    "CONTROL_KINDS",
    "AcceptedRisk",
    "Action",
    "Agent",
    "Approval",
    "ApproverPool",
    "Arrival",
    "Attacker",
    "BlockedAction",
    "Budget",
    "Cedar",
    "Control",
    "ControlModel",
    "CredentialRef",
    "Dataset",
    "Delegation",
    "Distribution",
    "Human",
    "IntentAwareJit",
    "Jit",
    "LoadLimits",
    "Permission",
    "RbacStepUp",
    "RevocationTrigger",
    "RiskLevel",
    "Role",
    "Scenario",
    "Secret",
    "Sensitivity",
    "ServiceAccount",
    "Services",
    "Simulation",
    "StaticRbac",
    "Step",
    "TaskType",
    "TemplateLink",
    "Threat",
    "Thresholds",
    "Tool",
    "ToolAccess",
    "Weights",
    "Workload",
    "field_reference_markdown",
    "format_duration",
    "kinds_with_parameter",
    "load_scenario",
    "parse_duration",
    "parse_rate",
    "parse_scenario",
    "scenario_json_schema",
    "scenario_json_schema_text",
]
