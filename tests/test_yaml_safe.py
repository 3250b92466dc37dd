"""Safe YAML loading: untrusted input yields plain data with positions, or a ScenarioError — nothing else."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.errors import ScenarioError
from workbench.model import yaml_safe
from workbench.model.yaml_safe import (
    LoadLimits,
    YamlDocument,
    format_path,
    load_yaml,
    read_scenario_bytes,
    resolve_inside,
)

FILE = "s.yaml"


def load(text: str | bytes, **limits: int | float) -> YamlDocument:
    return load_yaml(text, filename=FILE, limits=LoadLimits(**limits))  # type: ignore[arg-type]


def problems(text: str | bytes, **limits: int | float) -> list[tuple[int, int, str, str]]:
    """(line, column, path, code) of every problem loading `text` reports."""
    with pytest.raises(ScenarioError) as caught:
        load(text, **limits)
    return [(p.line, p.column, p.path, p.code) for p in caught.value.problems]


def message(text: str | bytes, **limits: int | float) -> str:
    with pytest.raises(ScenarioError) as caught:
        load(text, **limits)
    return str(caught.value)


@pytest.fixture(params=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml and with PyYAML's pure-Python parser, the fallback without libyaml."""
    if request.param == "libyaml":
        if not yaml.__with_libyaml__:
            pytest.skip("libyaml is not installed")
        monkeypatch.setattr(yaml_safe, "_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yaml_safe, "_LOADER", yaml.SafeLoader)
    return str(request.param)


# --- values ------------------------------------------------------------------------------------------------


def test_plain_scalars_follow_the_yaml_1_2_core_schema(loader: str) -> None:
    text = """\
s: hello
country: NO
answer: yes
off_: off
t: true
f: FALSE
n: null
tilde: ~
empty:
dec: 010
neg: -42
octal: 0o17
hex: 0x1F
sexagesimal: 1:30
underscored: 1_000
fl: 1.5
exp: 1e3
dot: .5
inf: -.inf
date: 2024-01-02
stamp: 2024-01-02T03:04:05Z
quoted: '12'
dquoted: "true"
block: |
  line
"""
    data = load(text).data
    assert data == {
        "s": "hello",
        "country": "NO",
        "answer": "yes",
        "off_": "off",
        "t": True,
        "f": False,
        "n": None,
        "tilde": None,
        "empty": None,
        "dec": 10,
        "neg": -42,
        "octal": 15,
        "hex": 31,
        "sexagesimal": "1:30",
        "underscored": "1_000",
        "fl": 1.5,
        "exp": 1000.0,
        "dot": 0.5,
        "inf": -math.inf,
        "date": "2024-01-02",
        "stamp": "2024-01-02T03:04:05Z",
        "quoted": "12",
        "dquoted": "true",
        "block": "line\n",
    }
    assert math.isnan(load("x: .nan").data["x"])


def test_core_tags_are_honoured(loader: str) -> None:
    data = load("a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!bool 'true'\ne: !!null ''\nf: ! 3\ng: !!map {}").data
    assert data == {"a": "12", "b": 7, "c": 1.0, "d": True, "e": None, "f": "3", "g": {}}
    assert type(data["c"]) is float


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system {}",
        "a: !!python/object/apply:os.system ['echo pwned']",
        "a: !!python/name:os.system ''",
        "a: !!binary aGVsbG8=",
        "a: !!timestamp 2024-01-02",
        "a: !!set {x}",
        "a: !custom 1",
        "%TAG !p! tag:yaml.org,2002:python/\n---\na: !p!object:os.system {}",
    ],
)
def test_other_tags_are_rejected_not_constructed(loader: str, text: str) -> None:
    found = problems(text)
    assert found[0][2:] == ("a", "yaml-tag")
    assert "is not allowed" in message(text)


def test_a_tagged_value_that_does_not_fit_its_tag_is_an_error() -> None:
    assert problems("a: !!int abc\nb: !!bool yes") == [(1, 4, "a", "yaml-tag"), (2, 4, "b", "yaml-tag")]


def test_an_integer_too_long_for_python_is_an_error_not_a_crash() -> None:
    assert problems("a: " + "9" * 5000) == [(1, 4, "a", "yaml-syntax")]


# --- positions ---------------------------------------------------------------------------------------------


def test_positions_cover_the_root_every_value_and_every_item(loader: str) -> None:
    text = "schema_version: 1\nagents:\n  - id: a\n    credentials:\n      - {secret: s1}\n"
    document = load(text)
    assert document.positions == {
        (): (1, 1),
        ("schema_version",): (1, 17),
        ("agents",): (3, 3),
        ("agents", 0): (3, 5),
        ("agents", 0, "id"): (3, 9),
        ("agents", 0, "credentials"): (5, 7),
        ("agents", 0, "credentials", 0): (5, 9),
        ("agents", 0, "credentials", 0, "secret"): (5, 18),
    }


def test_locate_falls_back_to_the_longest_recorded_prefix() -> None:
    document = load("a:\n  b: 1\nlist: [x]\n")
    assert document.locate(("a", "b")) == (2, 6)
    assert document.locate(["a", "missing", "deeper"]) == (2, 3)
    assert document.locate(("list", 5)) == (3, 7)
    assert document.locate(("nowhere",)) == (1, 1)
    assert document.locate(()) == (1, 1)
    assert YamlDocument({}, {}).locate(("a",)) == (1, 1)


def test_values_inside_an_alias_are_located_at_the_alias() -> None:
    document = load("base: &b {x: {y: 1}}\ncopy: *b\n")
    assert document.locate(("copy", "x", "y")) == (2, 7)


def test_a_bom_does_not_shift_columns() -> None:
    assert load("\ufeffa: 1".encode()).positions[("a",)] == (1, 4)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), ""),
        (("agents", 2, "credentials", 0, "secret"), "agents[2].credentials[0].secret"),
        ((0, "a"), "[0].a"),
        (("my-key", "_x1", "1"), "my-key._x1.1"),
        (("labels", "app.io/name"), 'labels["app.io/name"]'),
        (("a b", 'q"'), '["a b"]["q\\""]'),
        (("", "é\n"), '[""]["é\\n"]'),
    ],
)
def test_format_path(path: tuple[str | int, ...], expected: str) -> None:
    assert format_path(path) == expected


# --- limits ------------------------------------------------------------------------------------------------


def test_size_is_checked_before_parsing() -> None:
    assert problems(b"a: 1\n" + b"[" * 100, max_bytes=50) == [(1, 1, "", "yaml-size")]
    assert problems("a: ééé", max_bytes=8) == [(1, 1, "", "yaml-size")]  # 9 bytes in UTF-8, 6 characters
    assert load("a: éé", max_bytes=8).data == {"a": "éé"}


def test_depth_is_capped(loader: str) -> None:
    assert load("a: " + "[" * 3 + "]" * 3, max_depth=4).data == {"a": [[[]]]}
    assert problems("a: " + "[" * 4 + "]" * 4, max_depth=4) == [(1, 7, "a[0][0][0]", "yaml-depth")]
    block = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200))
    assert problems(block)[0][3] == "yaml-depth"


def test_a_very_deep_document_is_rejected_without_recursion(loader: str) -> None:
    assert problems("a: " + "[" * 100_000)[0][3] in {"yaml-depth", "yaml-syntax"}


def test_depth_counts_what_an_alias_brings_along() -> None:
    text = "deep: &d [[[1]]]\nx: [[*d]]\n"
    assert problems(text, max_depth=5) == [(2, 6, "x[0][0]", "yaml-depth")]
    assert load(text, max_depth=6).data["x"] == [[[[[1]]]]]


BILLION_LAUGHS = "\n".join(
    [
        "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']",
        *(f"{chr(c)}: &{chr(c)} [{','.join([f'*{chr(c - 1)}'] * 9)}]" for c in range(ord("b"), ord("j"))),
        "bomb: *i",
    ]
)


def test_billion_laughs_is_rejected_fast(loader: str) -> None:
    assert len(BILLION_LAUGHS) < 500
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1.0
    assert [p.code for p in caught.value.problems] == ["yaml-expansion"]
    assert "alias bombs" in str(caught.value)


def test_the_expansion_budget_grows_with_the_document() -> None:
    shared = "base: &b {" + ", ".join(f"k{i}: {i}" for i in range(20)) + "}\n"
    # 100 aliases of 21 nodes: 2,100 nodes from ~120 written is fine under the 10,000 floor...
    assert len(load(shared + "uses: [" + ", ".join(["*b"] * 100) + "]").data["uses"]) == 100
    # ...but 1,000 of them (21,000 from ~1,020 written) is over 4x the document.
    assert problems(shared + "uses: [" + ", ".join(["*b"] * 1000) + "]")[0][3] == "yaml-expansion"
    assert load(shared + "uses: [" + ", ".join(["*b"] * 1000) + "]", max_nodes_expansion=25).data


def test_aliases_produce_independent_plain_copies() -> None:
    data = load("a: &x {k: [1]}\nb: *x\nc: &s text\nd: *s\n").data
    assert data == {"a": {"k": [1]}, "b": {"k": [1]}, "c": "text", "d": "text"}
    assert data["a"] is not data["b"] and data["a"]["k"] is not data["b"]["k"]


def test_undefined_and_self_referencing_aliases_are_errors(loader: str) -> None:
    assert problems("a: *nope") == [(1, 4, "a", "yaml-syntax")]
    assert problems("a: &r [1, *r]") == [(1, 11, "a[1]", "yaml-syntax")]


# --- keys --------------------------------------------------------------------------------------------------


def test_duplicate_keys_report_the_second_occurrence(loader: str) -> None:
    assert problems("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n") == [
        (4, 3, "b.c", "yaml-duplicate-key"),
        (5, 1, "a", "yaml-duplicate-key"),
    ]


def test_integer_keys_become_strings_and_collide_by_value() -> None:
    assert load("hours: {9: 0.5, 017: 1.0, '9x': 2}").data == {"hours": {"9": 0.5, "17": 1.0, "9x": 2}}
    assert problems("m: {1: a, 0x1: b}") == [(1, 11, "m.1", "yaml-duplicate-key")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("? [a]\n: 1\n", "not collections"),
        ("? {a: 1}\n: 1\n", "not collections"),
        ("true: 1\n", "not bool"),
        ("~: 1\n", "not null"),
        ("? \n: 1\n", "not null"),
        ("1.5: 1\n", "not float"),
        ("k: &k [1]\n*k : 2\n", "not list"),
    ],
)
def test_keys_must_be_strings(loader: str, text: str, expected: str) -> None:
    assert [p[3] for p in problems(text)] == ["yaml-key"]
    assert expected in message(text)


def test_quoted_keys_that_look_like_other_types_are_strings() -> None:
    assert load("'true': 1\n\"null\": 2\n'1.5': 3").data == {"true": 1, "null": 2, "1.5": 3}


def test_every_problem_is_reported_at_once() -> None:
    text = "a: 1\na: 2\nb: !!python/object:x {}\ntrue: 3\n"
    assert problems(text) == [(2, 1, "a", "yaml-duplicate-key"), (3, 4, "b", "yaml-tag"), (4, 1, "", "yaml-key")]


# --- merge keys --------------------------------------------------------------------------------------------


def test_merge_keys_apply_with_explicit_keys_winning(loader: str) -> None:
    text = """\
defaults: &d {model: small, risk: low, tags: [x]}
strict: &s {risk: high, approval: true}
agent:
  <<: [*s, *d]
  model: large
"""
    document = load(text)
    assert document.data["agent"] == {"model": "large", "risk": "high", "tags": ["x"], "approval": True}
    assert document.data["agent"]["tags"] is not document.data["defaults"]["tags"]
    assert document.locate(("agent", "risk")) == (4, 7)  # merged keys point at the `<<` value
    assert document.locate(("agent", "model")) == (5, 10)
    assert ("agent", "<<") not in document.positions


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load("a: {'<<': 1}").data == {"a": {"<<": 1}}


def test_bad_merge_values_are_errors() -> None:
    assert problems("a:\n  <<: 1\n") == [(2, 7, 'a["<<"]', "yaml-merge")]
    assert problems("b: &b [1]\na:\n  <<: [*b]\n") == [(3, 7, 'a["<<"]', "yaml-merge")]
    assert problems("a:\n  <<: {x: 1}\n  <<: {y: 1}\n") == [(3, 3, "a", "yaml-duplicate-key")]


def test_merges_count_towards_the_expansion_budget() -> None:
    base = "b: &b {" + ", ".join(f"k{i}: {i}" for i in range(50)) + "}\n"
    many = base + "".join(f"x{i}: {{<<: *b}}\n" for i in range(400))
    assert problems(many)[0][3] == "yaml-expansion"


# --- document shape ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "---\n...\n", "~\n"])
def test_an_empty_document_is_an_error(loader: str, text: str) -> None:
    assert [(p[2], p[3]) for p in problems(text)] == [("", "yaml-empty")]
    assert "empty document" in message(text)


@pytest.mark.parametrize(
    ("text", "kind"), [("- a\n- b\n", "a sequence"), ("just text\n", "a str scalar"), ("42", "a int scalar")]
)
def test_the_top_level_must_be_a_mapping(loader: str, text: str, kind: str) -> None:
    assert problems(text) == [(1, 1, "", "yaml-not-mapping")]
    assert kind in message(text)


def test_more_than_one_document_is_an_error(loader: str) -> None:
    assert problems("a: 1\n---\nb: 2\n") == [(2, 1, "", "yaml-multi-document")]
    assert problems("---\na: 1\n...\n---\n") == [(4, 1, "", "yaml-multi-document")]
    assert "expected a single YAML document" in message("a: 1\n---\nb: 2\n")


def test_syntax_errors_carry_the_parser_position(loader: str) -> None:
    assert problems("a: 1\nb: [1, 2\nc: 3\n")[0][3] == "yaml-syntax"
    assert problems("a:\n  b: 1\n c: 2\n") == [(3, 2, "", "yaml-syntax")]
    assert problems("a:\n  b: {x: 1\n") == [(3, 1, "a.b", "yaml-syntax")]
    assert problems("a: 'unterminated\n")[0][:1] == (2,)


# --- text --------------------------------------------------------------------------------------------------


def test_bad_utf8_reports_the_first_bad_byte() -> None:
    assert problems(b"a: 1\nb: caf\xc3\xa9 \xff\n") == [(2, 9, "", "yaml-encoding")]
    assert "0xc3" in message(b"a: \xc3")
    assert problems(b"\xef\xbb\xbfa: \xff") == [(1, 4, "", "yaml-encoding")]  # the BOM is not a column


def test_utf16_gets_a_hint() -> None:
    assert "UTF-16" in message("a: 1".encode("utf-16"))


def test_a_utf8_bom_is_fine() -> None:
    assert load(b"\xef\xbb\xbfa: 1\n").data == {"a": 1}


def test_control_characters_are_reported_with_their_position() -> None:
    assert problems("a: 1\nb: x\x00y\x1b\n") == [(2, 5, "", "yaml-control-char"), (2, 7, "", "yaml-control-char")]
    assert "U+0000" in message(b"a: \x00")
    assert load("a: 'tab\there'\r\nb: 2\r\n").data == {"a": "tab\there", "b": 2}


def test_unpaired_surrogates_in_text_are_encoding_errors() -> None:
    assert problems("a: \ud800") == [(1, 4, "", "yaml-encoding")]


# --- nothing escapes but ScenarioError ---------------------------------------------------------------------

LINE = re.compile(r"s\.yaml:(\d+):(\d+): .+: .* \[[a-z:-]+\]")
YAMLISH = st.text(alphabet=":-[]{}&*!|>'\"\n #,?%.~<@`\tabcxyz019\ufeff\x00é", max_size=80)


def assert_loads_or_fails_cleanly(source: bytes | str) -> None:
    try:
        document = load_yaml(source, filename=FILE)
    except ScenarioError as error:
        assert error.problems
        for line in str(error).split("\n"):
            match = LINE.fullmatch(line)
            assert match, line
            assert 1 <= int(match[1]) <= len(source) + 1 and int(match[2]) >= 1
    else:
        assert type(document.data) is dict
        assert document.positions[()] >= (1, 1)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=120))
def test_any_bytes_load_or_raise_scenario_error(source: bytes) -> None:
    assert_loads_or_fails_cleanly(source)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_any_yamlish_text_loads_or_raises_scenario_error(text: str) -> None:
    assert_loads_or_fails_cleanly(text)
    assert_loads_or_fails_cleanly(text.encode("utf-8", "surrogatepass"))


# PyYAML reads YAML 1.1, where U+2028 and U+2029 (categories Zl, Zp) break lines even inside a quoted scalar,
# so JSON that holds them raw is not YAML to it (it fails with a located ScenarioError, tested above).
JSON_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | JSON_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(JSON_TEXT, children, max_size=4),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.dictionaries(JSON_TEXT, JSON_VALUES, max_size=5))
def test_json_is_yaml(data: dict[str, object]) -> None:
    """JSON is (nearly) a subset of YAML, so a JSON document loads back to the same data."""
    assert load_yaml(json.dumps(data, ensure_ascii=False), filename=FILE).data == data


# --- files -------------------------------------------------------------------------------------------------


def test_read_scenario_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"a: 1\n")
    assert read_scenario_bytes(path, LoadLimits()) == b"a: 1\n"

    with pytest.raises(ScenarioError) as caught:
        read_scenario_bytes(path, LoadLimits(max_bytes=4))
    assert [(p.line, p.column, p.code) for p in caught.value.problems] == [(1, 1, "yaml-size")]

    with pytest.raises(ScenarioError) as caught:
        read_scenario_bytes(tmp_path / "missing.yaml", LoadLimits())
    assert [(p.file, p.code) for p in caught.value.problems] == [(str(tmp_path / "missing.yaml"), "file-missing")]

    with pytest.raises(ScenarioError) as caught:
        read_scenario_bytes(tmp_path, LoadLimits())
    assert [p.code for p in caught.value.problems] == ["file-unreadable"]


def test_resolve_inside(tmp_path: Path) -> None:
    root = tmp_path / "scenarios"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "p.cedar").write_text("permit(principal, action, resource);")
    (tmp_path / "secret.txt").write_text("x")
    (root / "out").symlink_to(tmp_path)
    (root / "in").symlink_to(root / "policies")
    scenario = root / "s.yaml"

    assert resolve_inside(scenario, "policies/p.cedar") == (root / "policies" / "p.cedar").resolve()
    assert resolve_inside(scenario, "./policies/../policies/p.cedar") == (root / "policies" / "p.cedar").resolve()
    assert resolve_inside(scenario, "in/p.cedar") == (root / "policies" / "p.cedar").resolve()
    assert resolve_inside(scenario, "not/yet/there.cedar") == (root / "not" / "yet" / "there.cedar").resolve()
    for escaping in ["../secret.txt", "policies/../../secret.txt", "out/secret.txt", str(tmp_path / "secret.txt")]:
        assert resolve_inside(scenario, escaping) is None, escaping
    for odd in ["", "/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share\\x", "a\x00b"]:
        assert resolve_inside(scenario, odd) is None, odd


def test_resolve_inside_survives_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert resolve_inside(tmp_path / "s.yaml", "loop/x") is None


# --- scale -------------------------------------------------------------------------------------------------


def generated_scenario(agents: int) -> str:
    item = "  - id: agent-{i}\n    name: Agent {i}\n    owner: team-{t}\n    model: m\n    risk: high\n"
    item += "    max_tokens: {i}\n    enabled: true\n    description: {d}\n"
    description = "padding to make each agent about a kilobyte " * 20
    return "schema_version: 1\nagents:\n" + "".join(item.format(i=i, t=i % 97, d=description) for i in range(agents))


def test_a_generated_scenario_loads_completely() -> None:
    document = load(generated_scenario(2_000))
    assert len(document.data["agents"]) == 2_000
    assert document.data["agents"][1999]["max_tokens"] == 1999
    assert document.locate(("agents", 1999, "enabled")) == (2 + 1999 * 8 + 7, 14)
