"""The README's "From Python" example runs as written (on the synthetic cohort's files)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    text = README.read_text()
    section = text[text.index("### From Python"):text.index("### Models")]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_top_level_api_is_lazy_and_complete():
    """Old behaviour: `import genemoe` offered prepare_dataset, load_bundle, create_model and
    list_models only; training, predicting or explaining from Python meant finding the
    workflow modules (README said "from the command line or Python")."""
    import genemoe

    for name in genemoe.__all__:
        assert getattr(genemoe, name) is not None, name
    assert genemoe.train_run.__name__ == "train_run" and genemoe.run_benchmark.__name__ == "run_benchmark"
    code = "import sys, genemoe; assert 'torch' not in sys.modules, 'torch imported'"
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    files = write_synthetic_files(make_synthetic_cohort(n_samples=120, n_genes=60, n_types=3,
                                                        seed=3), tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    Path("counts.tsv.gz").symlink_to(files["counts"])
    Path("labels.tsv").symlink_to(files["labels"])
    Path("ensembl105_genes.tsv.gz").symlink_to(files["annotation"])
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0)
    counts.iloc[:, :5].to_csv("new_samples.tsv", sep="\t")
    code = _example().replace('model_name="genemoe")', 'model_name="genemoe", epochs=2, progress=False)')
    code = code.replace('out_dir="explain/gm")', 'out_dir="explain/gm", n_steps=4, progress=False)')
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "genemoe · classify" in out and Path("pred.csv").exists()
    assert Path("explain/gm/genes_by_class.csv").exists()
