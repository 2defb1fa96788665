"""The example notebook ``examples/compare_bases.ipynb`` is stored without outputs and runs end to
end (with nbclient and an IPython kernel, from the ``examples`` folder) without any error."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "compare_bases.ipynb"


def test_the_notebook_is_stored_without_outputs():
    document = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in document["cells"] if cell["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None


def test_the_notebook_runs_end_to_end(monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat (pip install '.[dev]')")
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient (pip install '.[dev]')")
    pytest.importorskip("ipykernel", reason="needs ipykernel for a Python kernel (pip install '.[dev]')")
    pytest.importorskip("pandas", reason="the notebook uses pandas (pip install '.[dev]')")
    pytest.importorskip("matplotlib", reason="the notebook draws charts (pip install '.[dev]')")
    # the kernel spec runs "python": make that this interpreter, whatever else is on PATH
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first cell that fails
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {mime for o in outputs for mime in o.get("data", {})}
    assert {"text/html", "image/png"} <= kinds  # rich tables and charts were displayed
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "report.html" in printed
