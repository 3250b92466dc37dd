"""What is reached: tools and MCP servers, datasets and systems, and secrets."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from workbench.model.common import (
    MAX_WEIGHT,
    Action,
    Environment,
    Id,
    Permission,
    Prose,
    Provenances,
    Sensitivity,
    StorageLocation,
    StrictModel,
    Tags,
    Text,
)
from workbench.model.durations import OptionalLifetime

__all__ = ["Dataset", "Secret", "Tool", "ToolAccess"]


class ToolAccess(StrictModel):
    """What a tool does to a resource when it is called."""

    resource: Id = Field(description="Dataset, system or secret the tool touches.")
    actions: list[Action] = Field(min_length=1, description="Actions the tool performs on it.")


class Tool(StrictModel):
    """A tool, API or MCP server. Its own credential can make it a confused deputy."""

    id: Id
    kind: Literal["tool", "mcp_server", "api"] = Field("tool", description="What sort of tool this is.")
    description: Prose | None = Field(None, description="Free text for readers of reports.")
    actions: list[Action] = Field(default_factory=list, description="Actions the tool exposes to callers.")
    external: bool = Field(False, description="True if the tool can send data outside the organisation.")
    accesses: list[ToolAccess] = Field(default_factory=list, description="Resources the tool touches.")
    credential: Id | None = Field(None, description="Secret the tool itself authenticates with.")
    runs_as: Id | None = Field(None, description="Service account the tool itself runs as.")
    environment: Environment = Field("prod", description="Environment it belongs to.")
    tags: Tags
    provenance: Provenances


class Dataset(StrictModel):
    """Data or a system an agent can act on; its weight drives blast-radius scores."""

    id: Id
    kind: Literal["dataset", "system"] = Field("dataset", description="A store of data, or a system acted on.")
    description: Prose | None = Field(None, description="Free text for readers of reports.")
    sensitivity: Sensitivity = Field("internal", description="Classification of the data.")
    value: float = Field(
        1.0, ge=0, le=MAX_WEIGHT, description="Relative business value; multiplies the sensitivity weight."
    )
    pii: bool = Field(False, description="True if the dataset holds personal data.")
    environment: Environment = Field("prod", description="Environment it belongs to.")
    hijacks_readers: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Chance that an agent reading this dataset in a task, after an attacker wrote to it, is "
        "hijacked: memory, RAG stores, tickets, shared drives whose content agents take as instructions "
        "(OWASP ASI06). 0: agents read it as data.",
    )
    part_of: Id | None = Field(
        None,
        description="Dataset or system this one belongs to (a table in its database, a folder in its drive). "
        'Grouping only: it grants nothing, but Cedar policies can say `resource in Dataset::"crm"`.',
    )
    tags: Tags
    provenance: Provenances


class Secret(StrictModel):
    """A credential: what it grants, how long it lives and where its master copy is kept."""

    id: Id
    kind: Literal[
        "api_key", "personal_access_token", "oauth_token", "oauth_client", "database_credential",
        "cloud_access_key", "ssh_key", "certificate", "password", "token",
    ] = Field("api_key", description="Type of credential.")  # fmt: skip
    description: Prose | None = Field(None, description="Free text for readers of reports.")
    grants: list[Permission] = Field(default_factory=list, description="Permissions the secret carries.")
    authenticates_as: Id | None = Field(
        None, description="Service account the secret logs in as (it then carries that account's access)."
    )
    lifetime: OptionalLifetime = Field(None, description="Validity of one issued secret; 'never' if unbounded.")
    rotation: OptionalLifetime = Field(None, description="Rotation period; 'never' if never rotated.")
    stored_in: StorageLocation = Field("vault", description="Where the master copy of the secret lives.")
    environment: Environment = Field("prod", description="Environment it belongs to.")
    sensitivity: Sensitivity = Field("confidential", description="Classification of the secret itself.")
    tags: Tags
    fingerprint: Text | None = Field(
        None,
        pattern=r"^hmac-sha256:[0-9a-f]{16,64}$",
        description="Salted fingerprint of an imported secret's value (never the value): the same key found in "
        "two files has the same fingerprint, so it is one shared secret.",
    )
    provenance: Provenances
