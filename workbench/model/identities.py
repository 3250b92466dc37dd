"""Who acts: agents, the humans who own, approve and delegate to them, and service accounts."""

from __future__ import annotations

from pydantic import Field

from workbench.model.common import (
    Autonomy,
    Environment,
    Id,
    Prose,
    Provenances,
    StorageLocation,
    StrictModel,
    Tags,
    Text,
)

__all__ = ["Agent", "CredentialRef", "Human", "ServiceAccount"]

SPIFFE_PATTERN = r"^spiffe://[A-Za-z0-9.-]+(/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)+$"


class CredentialRef(StrictModel):
    """A secret an identity holds, and where its copy lives (the copy is what leaks)."""

    secret: Id = Field(description="Id of the secret held.")
    stored_in: StorageLocation = Field(
        "vault", description="Where this identity keeps its copy: vault, env, agent_config or code."
    )


class Human(StrictModel):
    """A person who owns, approves or delegates to agents."""

    id: Id
    name: Text | None = Field(None, description="Display name.")
    team: Text | None = Field(None, description="Team or business unit.")
    roles: list[Id] = Field(default_factory=list, description="Roles assigned to this person.")
    offboarded: bool = Field(False, description="True once the person has left; their agents become orphans.")
    provenance: Provenances


class ServiceAccount(StrictModel):
    """A non-human account; broad legacy ones are the access paths nobody sees."""

    id: Id
    description: Prose | None = Field(None, description="Free text for readers of reports.")
    owner: Id | None = Field(None, description="Human responsible for the account.")
    environment: Environment = Field("prod", description="Environment the account lives in.")
    legacy: bool = Field(False, description="A pre-existing broad account, often shared and never reviewed.")
    roles: list[Id] = Field(default_factory=list, description="Roles assigned to the account.")
    credentials: list[CredentialRef] = Field(default_factory=list, description="Secrets the account holds.")
    tags: Tags
    provenance: Provenances


class Agent(StrictModel):
    """An AI agent: decides at run time which tools to call and which data to read."""

    id: Id
    name: Text | None = Field(None, description="Display name.")
    owner: Id | None = Field(None, description="Human accountable for the agent.")
    business_purpose: Prose | None = Field(None, description="Why the agent exists, in business terms.")
    workload_identity: Text | None = Field(
        None,
        pattern=SPIFFE_PATTERN,
        description="SPIFFE-style workload identity URI, e.g. spiffe://acme.example/agents/support.",
    )
    autonomy: Autonomy = Field("medium", description="How freely the agent chains actions without a human.")
    environment: Environment = Field("prod", description="Environment the agent runs in.")
    untrusted_input: bool = Field(
        False, description="True if the agent reads content an attacker can write (email, web, tickets)."
    )
    framework: Text | None = Field(None, description="Agent framework, e.g. langgraph, crewai, autogen.")
    roles: list[Id] = Field(default_factory=list, description="Roles assigned directly to the agent.")
    runs_as: Id | None = Field(None, description="Service account whose permissions the agent inherits.")
    credentials: list[CredentialRef] = Field(default_factory=list, description="Secrets the agent holds.")
    tools: list[Id] = Field(default_factory=list, description="Tools and MCP servers the agent is wired to.")
    audit_logging: bool = Field(False, description="True if every action of the agent is logged for audit.")
    tags: Tags
    provenance: Provenances
