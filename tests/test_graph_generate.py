"""Generated organisations are valid scenarios, named by their seed, and have the structure they promise."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import yaml

from workbench.generate import generate_organisation
from workbench.graph import compile_access
from workbench.model import Scenario, parse_scenario
from workbench.model.references import check_references


@pytest.fixture(scope="module")
def org() -> dict:
    return generate_organisation(2000, seed=7)


def test_generated_organisation_is_a_valid_scenario_also_through_yaml(org: dict) -> None:
    scenario = Scenario.model_validate(org)
    assert check_references(scenario) == []
    loaded = parse_scenario(yaml.safe_dump(org, sort_keys=False), filename="generated.yaml")
    assert loaded.model_dump() == scenario.model_dump()
    assert [c.kind for c in scenario.controls] == ["static_rbac", "jit"]
    assert scenario.workload.task_types and scenario.threats


@pytest.mark.parametrize("n_agents", [1, 2, 37])
def test_tiny_organisations_are_valid_too(n_agents: int) -> None:
    scenario = Scenario.model_validate(generate_organisation(n_agents, seed=0))
    assert check_references(scenario) == []
    assert len(scenario.agents) == n_agents


def test_a_seed_names_an_organisation(org: dict) -> None:
    assert generate_organisation(2000, seed=7) == org
    assert generate_organisation(2000, seed=8) != org
    with pytest.raises(ValueError):
        generate_organisation(0, seed=7)


def test_catalogues_grow_with_the_square_root_of_the_agents() -> None:
    for n_agents in (400, 10_000):
        org = generate_organisation(n_agents, seed=1)
        assert len(org["datasets"]) == len(org["roles"]) == len(org["humans"]) == math.isqrt(n_agents)
        assert len(org["tools"]) == len(org["secrets"]) == math.isqrt(n_agents) // 2


def test_structure_has_hubs_shared_keys_deputies_and_every_delegation_shape(org: dict) -> None:
    agents = org["agents"]
    run_as = Counter(a["runs_as"] for a in agents if "runs_as" in a)
    account, users = run_as.most_common(1)[0]
    assert users > len(agents) // 10  # one account many agents run as...
    assert next(s for s in org["service_accounts"] if s["id"] == account)["legacy"]  # ...a legacy one
    held = Counter(c["secret"] for a in agents for c in a["credentials"])
    assert held.most_common(1)[0][1] > len(agents) // 10  # a key shared by many agents
    assert any("credential" in t for t in org["tools"])  # tools with their own key: confused deputies
    assert any(a["untrusted_input"] for a in agents)
    assert any(d["sensitivity"] == "restricted" for d in org["datasets"])
    shapes = {
        ("scope" in d, d.get("attenuated"), d.get("expires", "") < org["as_of"] and "expires" in d)
        for d in org["delegations"]
    }
    assert {(False, None, False), (True, True, False), (True, False, False)} <= shapes
    assert any(expired for *_, expired in shapes)
    delegators = {d["delegator"] for d in org["delegations"]}
    assert any(d["delegate"] in delegators for d in org["delegations"])  # chains, not just single hops
    index = compile_access(Scenario.model_validate(org))
    thresholds = Scenario.model_validate(org).thresholds
    broad = len(index.assets(index.bits(account)))
    assert broad >= thresholds.broad_service_account_resources
