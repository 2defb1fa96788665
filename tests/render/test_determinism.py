"""Same inputs, same bytes, on every supported library version: pieces that older releases of
pydantic and matplotlib (the declared floors, run by .ci/run) would otherwise make vary."""

from __future__ import annotations

from upgrade_score import load_rubric
from upgrade_score._model.results import RubricRef
from upgrade_score._render.plot import _numbered_ids
from v1 import V1


def test_clip_path_ids_are_numbered_in_order() -> None:
    svg = (b'<defs><clipPath id="p3f9a1c"><rect/></clipPath><clipPath id="p01bb"><rect/></clipPath>'
           b'</defs><path clip-path="url(#p01bb)"/><path clip-path="url(#p3f9a1c)"/>'
           b'<text>url(#p3f9a1c-not-an-id)</text>')
    assert _numbered_ids(svg) == (
        b'<defs><clipPath id="clip1"><rect/></clipPath><clipPath id="clip2"><rect/></clipPath>'
        b'</defs><path clip-path="url(#clip2)"/><path clip-path="url(#clip1)"/>'
        b'<text>url(#p3f9a1c-not-an-id)</text>')
    assert _numbered_ids(b"<svg/>") == b"<svg/>"


def test_rubric_references_compare_by_id_version_and_hash() -> None:
    rubric = load_rubric(V1)
    kept = RubricRef.of(rubric)
    bare = RubricRef(id=rubric.id, version=rubric.version, sha256=rubric.sha256)
    assert kept == bare and hash(kept) == hash(bare)
    assert kept != RubricRef(id=rubric.id, version="other", sha256=rubric.sha256)
