"""Safe YAML reading: every input ends in a clean, located UpgradeScoreError, and lines are kept."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import upgrade_score._io.yaml as yamlio
from upgrade_score import UpgradeScoreError, load_profile, load_rubric
from upgrade_score._io.rubrics import builtin_path
from upgrade_score._io.yaml import MAX_DEPTH, parse_document
from v1 import V1

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "yaml-test-suite"
CORPUS_CASES = (sorted(p.name for p in CORPUS.iterdir() if (p / "in.yaml").is_file())
                if CORPUS.is_dir() else [])
LOADERS = [pytest.param(load_rubric, id="rubric"), pytest.param(load_profile, id="profile")]

BILLION_LAUGHS = """\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def write(tmp_path: Path, content: str | bytes, name: str = "doc.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def parse_error(text: str, file: str = "doc.yaml") -> UpgradeScoreError:
    with pytest.raises(UpgradeScoreError) as info:
        parse_document(text, file)
    return info.value


def assert_one_line(message: str) -> None:
    assert "\n" not in message
    assert len(message.splitlines()) == 1


# --- (1) the public YAML test suite: every input is a clean error ------------------------------

@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "case",
    CORPUS_CASES or [pytest.param(None, marks=pytest.mark.skip(
        reason=f"yaml-test-suite corpus not found at {CORPUS}"))],
)
def test_corpus_input_is_a_clean_error(case: str, loader) -> None:
    path = CORPUS / case / "in.yaml"
    with pytest.raises(UpgradeScoreError) as info:
        loader(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert_one_line(message)
    assert info.value.problems and all(p.file == str(path) for p in info.value.problems)


def test_corpus_is_complete() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"yaml-test-suite corpus not found at {CORPUS}")
    assert len(CORPUS_CASES) == 402


# --- (2) what a config file never needs ---------------------------------------------------------

def test_duplicate_key_names_line_and_path() -> None:
    err = parse_error("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert str(err) == "doc.yaml:4: a.b: duplicate key 'b' (first on line 2)"
    (problem,) = err.problems
    assert (problem.file, problem.line, problem.path) == ("doc.yaml", 4, ("a", "b"))


def test_duplicate_key_in_list_item_and_flow_mapping() -> None:
    err = parse_error("directions:\n  - id: x\n    name: n\n  - id: y\n    id: z\n")
    assert str(err) == "doc.yaml:5: directions[1].id: duplicate key 'id' (first on line 4)"
    err = parse_error("top: 1\nlevel: {a: 1, b: 2, a: 3}\n")
    assert str(err) == "doc.yaml:2: level.a: duplicate key 'a' (first on line 2)"


def test_duplicate_key_through_load_rubric_names_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'id: mini\nversion: "1"\nid: other\n')
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    assert str(info.value) == f"{path}:3: id: duplicate key 'id' (first on line 1)"


def test_duplicate_integer_key() -> None:
    err = parse_error("descriptors:\n  1: a\n  2: b\n  1: c\n")
    assert str(err) == "doc.yaml:4: descriptors[1]: duplicate key 1 (first on line 2)"


def test_merge_key_is_refused() -> None:
    err = parse_error("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert str(err) == "doc.yaml:3: merge keys (<<) are not supported; write the fields out"


@pytest.mark.parametrize("text, line, fragment", [
    ("a: 1\nb: !!python/name:os.system\n", 2, "python/name:os.system"),
    ("a: !!python/object:os.system ls\n", 1, "python/object:os.system"),
    ("a: 1\nb: !foo bar\n", 2, "unsupported YAML tag !foo"),
    ("a: !foo {x: 1}\n", 1, "unsupported YAML tag !foo"),
    ("a:\n  b: !!set {x, y}\n", 2, "unsupported YAML tag tag:yaml.org,2002:set"),
    ("a: !!omap [x: 1]\n", 1, "unsupported YAML tag tag:yaml.org,2002:omap"),
])
def test_custom_and_python_tags_are_refused(text: str, line: int, fragment: str) -> None:
    err = parse_error(text)
    assert str(err).startswith(f"doc.yaml:{line}: ")
    assert fragment in str(err)
    assert_one_line(str(err))


def test_python_object_apply_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, f'x: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    assert str(info.value) == (f"{path}:1: x: unsupported YAML tag "
                               "tag:yaml.org,2002:python/object/apply:os.system")
    assert not marker.exists()


@pytest.mark.parametrize("text, line", [
    ("a: 1\n---\nb: 2\n", 2),
    ("---\na: 1\n...\n---\nb: 2\n", 4),
])
def test_multiple_documents_are_refused(text: str, line: int) -> None:
    err = parse_error(text)
    assert str(err) == f"doc.yaml:{line}: expected a single YAML document, found several"


@pytest.mark.parametrize("content", ["", "# only a comment\n", "\n\n   \n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    for loader in (load_rubric, load_profile):
        with pytest.raises(UpgradeScoreError) as info:
            loader(path)
        assert str(info.value) == f"{path}:1: the file is empty"


@pytest.mark.parametrize("content, line", [
    (b"id: x\ntitle: caf\xe9\n", 2),           # latin-1
    (b"\xff\xfei\x00d\x00:\x00 \x00x\x00", 1),  # UTF-16
    (b"a: 1\nb: 2\nc: \x80\n", 3),
])
def test_non_utf8_bytes(tmp_path: Path, content: bytes, line: int) -> None:
    path = write(tmp_path, content)
    for loader in (load_rubric, load_profile):
        with pytest.raises(UpgradeScoreError) as info:
            loader(path)
        assert str(info.value) == f"{path}:{line}: not valid UTF-8 text"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffbase: {id: bom-base}\nvalues: {}\n")
    assert load_profile(path).id == "bom-base"


def test_file_over_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    small = write(tmp_path, "base: {id: small}\nvalues: {}\n", "small.yaml")
    assert load_profile(small).id == "small"
    big = write(tmp_path, "base: {id: big}\n" + "# padding\n" * 20, "big.yaml")
    assert big.stat().st_size > 100
    for loader in (load_rubric, load_profile):
        with pytest.raises(UpgradeScoreError) as info:
            loader(big)
        message = str(info.value)
        assert message.startswith(f"{big}: "), message
        assert "100" in message
        assert ("longer" in message) or ("larger" in message)
        assert_one_line(message)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, expected a file"
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(tmp_path / "absent.yaml")
    assert str(info.value) == f"{tmp_path / 'absent.yaml'}: file not found"


@pytest.mark.parametrize("text", [
    "[" * 10_000,
    "[" * 10_000 + "]" * 10_000,
    "{a: " * 10_000,
])
def test_deep_nesting_is_refused_quickly(text: str) -> None:
    start = time.process_time()  # this process's CPU time: the same on a loaded machine
    err = parse_error(text)
    assert time.process_time() - start < 2  # refused at the depth limit, not after 10,000 levels
    assert str(err) == f"doc.yaml:1: nesting deeper than {MAX_DEPTH} levels"


def test_depth_limit_boundary() -> None:
    inside = parse_document("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    depth, node = 0, inside.data
    while isinstance(node, list):
        depth += 1
        node = node[0] if node else None
    assert depth == MAX_DEPTH
    err = parse_error("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert str(err) == f"doc.yaml:1: nesting deeper than {MAX_DEPTH} levels"


def test_block_nesting_reports_the_line_where_the_limit_is_crossed() -> None:
    text = "a:\n" + "".join("  " * i + "-\n" for i in range(1, 100))
    err = parse_error(text)
    # line 1 opens the mapping (depth 1); each "-" line k opens one more list
    assert str(err) == f"doc.yaml:{MAX_DEPTH + 1}: nesting deeper than {MAX_DEPTH} levels"


def test_depth_limit_is_monkeypatchable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_DEPTH", 3)
    assert parse_document("a: {b: [1]}").data == {"a": {"b": [1]}}
    err = parse_error("a: {b: [[1]]}")
    assert str(err) == "doc.yaml:1: nesting deeper than 3 levels"


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    path = write(tmp_path, BILLION_LAUGHS)
    for loader in (load_rubric, load_profile):
        start = time.process_time()  # CPU time: the same on a loaded machine
        with pytest.raises(UpgradeScoreError) as info:
            loader(path)
        assert time.process_time() - start < 2
        message = str(info.value)
        assert message.startswith(f"{path}:"), message
        assert "alias bomb" in message
        assert info.value.problems[0].line in range(1, 10)


def test_small_aliases_are_fine() -> None:
    doc = parse_document("a: &x [1, 2]\nb: *x\nc: &s hello\nd: *s\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2], "c": "hello", "d": "hello"}


def test_unknown_and_recursive_alias() -> None:
    assert str(parse_error("a: 1\nb: *nope\n")) == "doc.yaml:2: unknown alias *nope"
    assert str(parse_error("a: &r [1, *r]\n")) == "doc.yaml:1: unknown alias *r"


def test_node_limit_counts_each_node_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_NODES", 100)
    # 1 mapping + 1 list + 60 scalars = 62 nodes, well under the limit of 100
    doc = parse_document("x: [" + ", ".join(["0"] * 60) + "]\n")
    assert doc.data == {"x": [0] * 60}


def test_node_limit_still_catches_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_NODES", 1000)
    err = parse_error("a: &a [" + ", ".join(["x"] * 40) + "]\n"
                      "b: [" + ", ".join(["*a"] * 40) + "]\n")
    assert str(err).startswith("doc.yaml:2: document expands to more than 1,000 nodes")


@pytest.mark.parametrize("text, shown", [
    ("true: 1\n", "True"),
    ("~: 1\n", "None"),
    ("1.5: 1\n", "1.5"),
    ("2024-01-01: 1\n", "2024-01-01"),
])
def test_non_string_keys_are_refused(text: str, shown: str) -> None:
    assert str(parse_error(text)) == f"doc.yaml:1: mapping key {shown} must be a string or an integer"


def test_complex_key_is_refused() -> None:
    err = parse_error("a: 1\n? [x, y]\n: 2\n")
    assert str(err) == "doc.yaml:2: mapping keys must be plain strings or integers"


def test_invalid_yaml_is_located() -> None:
    err = parse_error("a: 1\nb: [1, 2\nc: 3\n")
    assert str(err).startswith("doc.yaml:")
    assert "invalid YAML" in str(err)
    assert err.problems[0].line in (2, 3, 4)
    assert_one_line(str(err))


# --- (3) line numbers of keys and list items ----------------------------------------------------

LINES_TEXT = """\
# a comment
top: 1
items:
  - a
  - name: x

    tags: [p, q,
      r]
  - - 7
    - 8
flow: {k: 1,
  j: [1,
      2]}
descriptors:
  1: one
  3: three
alias: &A [1, 2]
again: *A
"""


def test_lines_of_keys_and_items() -> None:
    doc = parse_document(LINES_TEXT, "lines.yaml")
    assert doc.file == "lines.yaml"
    assert doc.data == {
        "top": 1,
        "items": ["a", {"name": "x", "tags": ["p", "q", "r"]}, [7, 8]],
        "flow": {"k": 1, "j": [1, 2]},
        "descriptors": {1: "one", 3: "three"},
        "alias": [1, 2],
        "again": [1, 2],
    }
    assert dict(doc.lines) == {
        (): 1,
        ("top",): 2,
        ("items",): 3,
        ("items", 0): 4,
        ("items", 1): 5,
        ("items", 1, "name"): 5,
        ("items", 1, "tags"): 7,
        ("items", 1, "tags", 0): 7,
        ("items", 1, "tags", 1): 7,
        ("items", 1, "tags", 2): 8,
        ("items", 2): 9,
        ("items", 2, 0): 9,
        ("items", 2, 1): 10,
        ("flow",): 11,
        ("flow", "k"): 11,
        ("flow", "j"): 12,
        ("flow", "j", 0): 12,
        ("flow", "j", 1): 13,
        ("descriptors",): 14,
        ("descriptors", 1): 15,
        ("descriptors", 3): 16,
        ("alias",): 17,
        ("alias", 0): 17,
        ("alias", 1): 17,
        ("again",): 18,
    }


def test_line_of_falls_back_to_nearest_ancestor() -> None:
    doc = parse_document(LINES_TEXT, "lines.yaml")
    assert doc.line_of(("items", 1, "tags", 2)) == 8
    assert doc.line_of(("items", 1, "tags", 9, "zzz")) == 7
    assert doc.line_of(("items", 1, "missing")) == 5
    assert doc.line_of(("nowhere", "deep")) == 1
    problem = doc.problem(("flow", "j", 1), "bad")
    assert str(problem) == "lines.yaml:13: flow.j[1]: bad"


def test_json_lines() -> None:
    doc = parse_document('{\n  "base": {"id": "j"},\n  "values": {\n    "a": 1,\n    "b": [1,\n 2]\n  }\n}\n')
    assert doc.data == {"base": {"id": "j"}, "values": {"a": 1, "b": [1, 2]}}
    assert doc.lines[("values", "a")] == 4
    assert doc.lines[("values", "b", 1)] == 6


# --- (4) every tag is refused, as the README says; aliases are bounded by what they expand to ---

@pytest.mark.parametrize("text, tag", [
    ('a: !!float "1"\n', "tag:yaml.org,2002:float"),
    ("a: !!str 5\n", "tag:yaml.org,2002:str"),
    ("a: !!int '3'\n", "tag:yaml.org,2002:int"),
    ("a: !!bool 'true'\n", "tag:yaml.org,2002:bool"),
    ("a: !!null ''\n", "tag:yaml.org,2002:null"),
    ("a: !!binary aGVsbG8=\n", "tag:yaml.org,2002:binary"),
    ("a: !!timestamp 2024-01-01\n", "tag:yaml.org,2002:timestamp"),
    ("a: !!map {b: 1}\n", "tag:yaml.org,2002:map"),
    ("a: !!seq [1]\n", "tag:yaml.org,2002:seq"),
    ("a: ! 12\n", "!"),
    ("%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "tag:example.com,2000:x"),
])
def test_every_yaml_tag_is_refused(text: str, tag: str) -> None:
    err = parse_error(text)
    line = text.count("\n", 0, text.index("a:")) + 1
    assert str(err) == f"doc.yaml:{line}: a: unsupported YAML tag {tag}"


def test_tags_are_refused_through_the_loaders(tmp_path: Path) -> None:
    path = write(tmp_path, "base: {id: x}\nvalues:\n  rd_intensity: !!float '2.5'\n")
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    assert str(info.value) == (f"{path}:3: values.rd_intensity: unsupported YAML tag "
                               "tag:yaml.org,2002:float")


def test_string_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """A 140 KB file whose aliases of one long string would expand to a gigabyte."""
    text = "base: {id: x}\nvalues: {}\nnotes:\n  - &s " + "x" * 100_000 + "\n" + "  - *s\n" * 10_000
    path = write(tmp_path, text)
    assert path.stat().st_size < 200_000
    start = time.process_time()  # CPU time: the same on a loaded machine
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    assert time.process_time() - start < 2
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert "alias bomb" in message and "characters" in message
    assert info.value.problems[0].line in range(4, 10_005)


def test_expansion_limit_counts_aliased_collections_and_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_CHARS", 1000)
    ok = parse_document("a: &a {key: " + "v" * 100 + "}\nb: [*a, *a, *a]\n")
    assert ok.data["b"] == [{"key": "v" * 100}] * 3
    err = parse_error("a: &a {key: " + "v" * 100 + "}\nb: [" + ", ".join(["*a"] * 10) + "]\n")
    assert str(err).startswith("doc.yaml:2: document expands to more than 1,000 characters")
    err = parse_error("a: &a {" + "k" * 300 + ": 1}\nb: [*a, *a, *a, *a]\n")  # keys count too
    assert str(err).startswith("doc.yaml:2: document expands to more than 1,000 characters")


def test_expansion_limit_is_not_reached_by_plain_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without aliases a document holds fewer characters than the file: only aliases reach it."""
    monkeypatch.setattr(yamlio, "MAX_BYTES", 5000)
    monkeypatch.setattr(yamlio, "MAX_CHARS", 5000)
    text = "a: " + "x" * 4900 + "\n"
    assert len(parse_document(text).data["a"]) == 4900


# --- (5) JSON files are read as JSON -------------------------------------------------------------

def json_error(text: str, file: str = "doc.json") -> UpgradeScoreError:
    return parse_error(text, file)


def test_json_surrogate_pairs_and_c1_characters_are_accepted(tmp_path: Path) -> None:
    data = {"base": {"id": "x", "name": {"zh": "\U00020000 园", "en": "C1 \x85 \x9f"}}, "values": {}}
    escaped = json.dumps(data)  # Python's default: "\ud840\udc00" and "\u0085"
    assert "\\ud840\\udc00" in escaped
    raw = json.dumps(data, ensure_ascii=False)  # C1 characters written as they are
    assert "\x85" in raw
    for text in (escaped, raw):
        profile = load_profile(write(tmp_path, text, "b.json"))
        assert profile.base.name is not None
        assert profile.base.name.zh == "\U00020000 园" and profile.base.name.en == "C1 \x85 \x9f"


def test_json_lines_of_keys_and_items() -> None:
    text = '{\n  "base": {"id": "j"},\n  "values": {\n    "a": 1,\n    "b": [1,\n 2, {"c": "}]"}]\n  }\n}\n'
    doc = parse_document(text, "doc.json")
    assert doc.data == {"base": {"id": "j"}, "values": {"a": 1, "b": [1, 2, {"c": "}]"}]}}
    assert dict(doc.lines) == {(): 1, ("base",): 2, ("base", "id"): 2, ("values",): 3,
                               ("values", "a"): 4, ("values", "b"): 5, ("values", "b", 0): 5,
                               ("values", "b", 1): 6, ("values", "b", 2): 6, ("values", "b", 2, "c"): 6}


def test_a_value_error_in_a_json_file_is_located(tmp_path: Path) -> None:
    data = {"base": {"id": "x"}, "values": {"high_value_product_share": 40,
                                            "green_factory_share": 135}}
    path = write(tmp_path, json.dumps(data, indent=2), "b.json")
    from upgrade_score import score
    with pytest.raises(UpgradeScoreError) as info:
        score(V1, path)  # the golden v1 rubric (tests/v1.py), where the share is reported
    assert str(info.value) == (f"{path}:7: values.green_factory_share: 135 is outside the valid "
                               "range [0, 100]")
    path = write(tmp_path, json.dumps({"base": {"id": "x", "yaer": 2025}, "values": {}}, indent=1),
                 "c.json")
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    assert str(info.value) == f"{path}:4: base.yaer: unknown field (did you mean 'year'?)"


@pytest.mark.parametrize("text, message", [
    ('{"a": 1,\n "b": {"c": 1, "c": 2}}', "doc.json:2: b.c: duplicate key 'c' (first on line 2)"),
    ('{"a": 1,\n "b": NaN}', "doc.json:2: b: invalid JSON: NaN is not a JSON number"),
    ('{"a": 1,\n "b": [-Infinity]}', "doc.json:2: b[0]: invalid JSON: -Infinity is not a JSON number"),
    ('{"a": 1,\n "b": "\\ud800"}', "doc.json:2: b: invalid JSON: a lone surrogate escape (\\ud800) "
                                   "is not a character"),
    ('{"a": 1,\n "b": ' + "9" * 5000 + "}", "doc.json:2: b: invalid JSON: a number of 5,000 "
                                            "characters (at most 4,300)"),
    ('{"a": 1,\n "b": [1 2]}', "doc.json:2: invalid JSON: Expecting ',' delimiter"),
    ("a: 1\n", "doc.json:1: invalid JSON: Expecting value"),
    ("{'a': 1}", "doc.json:1: invalid JSON: Expecting property name enclosed in double quotes"),
    ('{"a": 1}\n{"b": 2}\n', "doc.json:2: invalid JSON: Extra data"),
    ("  \n", "doc.json:1: the file is empty"),
])
def test_json_errors_are_located(text: str, message: str) -> None:
    assert str(json_error(text)) == message


def test_json_nesting_and_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100 + "1" + "}" * 100):
        start = time.process_time()  # CPU time: the same on a loaded machine
        assert str(json_error(text)) == f"doc.json:1: nesting deeper than {MAX_DEPTH} levels"
        assert time.process_time() - start < 2
    monkeypatch.setattr(yamlio, "MAX_NODES", 100)
    err = json_error("[" + ",".join(["0"] * 200) + "]")
    assert str(err).startswith("doc.json:1: document has more than 100 nodes")


def test_json_rubric_from_git_show_text_is_json() -> None:
    """parse_document decides by the file name: a REF:path ending in .json is JSON too."""
    doc = parse_document('{"id": "\\ud840\\udc00"}', "HEAD:rubrics/x.json")
    assert doc.data == {"id": "\U00020000"}


def test_a_huge_scalar_is_not_echoed_whole() -> None:
    err = parse_error("a: 1\nb: " + "9" * 5000 + "\n")  # over Python's int conversion limit
    assert str(err).startswith("doc.yaml:2: invalid YAML scalar '9999999999999999999999999999999999999'"
                               "... (5,000 characters): ")
    assert len(str(err)) < 200


# --- (3) libyaml and the Python parser: the same documents and the same errors -------------------

def _outcome(text: str, monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[Any, ...]:
    """What parse_document makes of ``text``: ("ok", data, lines) or ("error", message), through
    libyaml (``fast``, where it is used) or through PyYAML's Python parser alone."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(yamlio, "_FastParser", None)
        try:
            document = parse_document(text, "doc.yaml")
        except UpgradeScoreError as error:
            return ("error", str(error))
    return ("ok", repr(document.data), document.lines)


def _agree(text: str, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether both parsers give the same outcome (else libyaml accepted what Python refused)."""
    fast, python = _outcome(text, monkeypatch, True), _outcome(text, monkeypatch, False)
    if fast == python:
        return True
    assert (fast[0], python[0]) == ("ok", "error"), (text, fast, python)  # never other data or errors
    return False


needs_libyaml = pytest.mark.skipif(yamlio._FastParser is None, reason="PyYAML without libyaml")


@needs_libyaml
def test_libyaml_and_python_agree_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where libyaml accepts more than the Python parser, the suite says the document is valid."""
    if not CORPUS.is_dir():
        pytest.skip(f"yaml-test-suite corpus not found at {CORPUS}")
    more = [case for case in CORPUS_CASES
            if not _agree((CORPUS / case / "in.yaml").read_bytes().decode("utf-8", "replace"), monkeypatch)]
    assert more == ["JR7V"]  # plain scalars with '?' in flow collections (valid YAML)
    assert not (CORPUS / "JR7V" / "error").exists()


_PIECES = st.sampled_from([
    "a", "b1", ": ", "\n", "- ", "  ", "\t", "'", '"', "{", "}", "[", "]", ",", "&x ", "*x", "#", "|",
    ">", "? ", "!!str ", "%YAML 1.1\n", "---\n", "...\n", "1.5", "true", "\x00", "\x85", "\ufeff",
    "\ud800", "\u2028", "\r", "\\", "中", "~", "<<: *x\n", " #c", "\x7f"])


@needs_libyaml
@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_libyaml_and_python_agree_on_fragments(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _agree(text, monkeypatch) or "?" in text


@needs_libyaml
def test_libyaml_and_python_agree_on_edited_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies of an example base with a few characters deleted, inserted or copied elsewhere."""
    example = Path(__file__).resolve().parents[2] / "examples" / "bases" / "ewaste_dismantling_park.yaml"
    original = example.read_text(encoding="utf-8")
    rng, marks = random.Random(7), [*":-'\"{}[],&*#|>?!%@ \n\\", "  ", "\n- ", ": "]
    for _ in range(40):
        text = original
        for _ in range(rng.randint(1, 3)):
            at, choice = rng.randrange(len(text)), rng.random()
            if choice < 0.4:
                text = text[:at] + text[at + 1:]
            elif choice < 0.8:
                text = text[:at] + rng.choice(marks) + text[at:]
            else:
                start = rng.randrange(len(text))
                text = text[:at] + text[start:start + 20] + text[at:]
        assert _agree(text, monkeypatch) or "?" in text


def test_the_default_rubric_goes_through_libyaml_and_a_bad_text_through_python(
        monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []
    built = yamlio._built
    monkeypatch.setattr(yamlio, "_built", lambda text, file, loader: (used.append(loader.__name__),
                                                                       built(text, file, loader))[1])
    path = builtin_path("urban-mining-upgrade")
    assert path is not None
    parse_document(path.read_text(encoding="utf-8"), "rubric.yaml")
    assert used == (["CSafeLoader"] if yamlio._FastParser is not None else ["_Loader"])
    used.clear()
    with pytest.raises(UpgradeScoreError, match=r"^doc.yaml: invalid YAML: unacceptable character #xd800"):
        parse_document("a: \ud800", "doc.yaml")  # (libyaml cannot even take the text: UTF-8 only)
    fast = ["CSafeLoader"] if yamlio._FastParser is not None else []
    assert used == [*fast, "_Loader"]
    used.clear()
    assert parse_document('a: 1\nb: "x\ty"\n', "doc.yaml").data == {"a": 1, "b": "x\ty"}
    assert used == ["_Loader"]  # a tab: the Python parser's alone
    used.clear()
    with pytest.raises(UpgradeScoreError, match=r"^doc.yaml:2: a: duplicate key 'a' \(first on line 1\)$"):
        parse_document("a: 1\na: 2\n", "doc.yaml")  # a problem: found again, and worded, by Python
    assert used == [*fast, "_Loader"]


def test_a_document_over_a_size_limit_is_refused_by_the_first_parser_that_meets_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit is the builder's, met at the same event whichever parser feeds it: libyaml's refusal
    stands (reading a hostile document again with the slower parser only took longer, 45 s at a
    million nodes), with the words and line the Python parser's gives."""
    monkeypatch.setattr(yamlio, "MAX_NODES", 40)
    text = "a: 1\nb:\n" + "".join(f"  k{i}: [1, 2, 3]\n" for i in range(20))
    expected = r"^doc.yaml:10: document expands to more than 40 nodes \(alias bomb\?\)$"
    used: list[str] = []
    built = yamlio._built
    monkeypatch.setattr(yamlio, "_built", lambda text, file, loader: (used.append(loader.__name__),
                                                                       built(text, file, loader))[1])
    with pytest.raises(UpgradeScoreError, match=expected):
        parse_document(text, "doc.yaml")
    assert used == (["CSafeLoader"] if yamlio._FastParser is not None else ["_Loader"])
    monkeypatch.setattr(yamlio, "_FastParser", None)
    with pytest.raises(UpgradeScoreError, match=expected):
        parse_document(text, "doc.yaml")
    deep = "a: " + "[" * 70 + "]" * 70 + "\n"
    with pytest.raises(UpgradeScoreError, match=r"^doc.yaml:1: nesting deeper than 64 levels$"):
        parse_document(deep, "doc.yaml")
