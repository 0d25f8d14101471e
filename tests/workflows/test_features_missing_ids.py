"""`genemoe features` on a bundle that shares no gene id with the run (Entrez against
Ensembl): the refusal names both kinds of ids and the fix, not the --max-missing flag that
cannot help (it advised "--max-missing 1.00" to a command given --max-missing 1.0)."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.workflows.pretrain import pretrain_run
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def entrez_copy(tmp_path_factory):
    """A tiny pre-training run (Ensembl genes) and a copy of its bundle in Entrez ids."""
    d = tmp_path_factory.mktemp("features_ids")
    bundle, _, _ = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=3, seed=4,
                                     clinical=False)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]}}))
    run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, seed=0,
                       device="cpu", progress=False)
    copy = load_bundle(bundle.path)
    copy.var = copy.var.assign(gene_id=[str(7157 + i) for i in range(len(copy.var))])
    write_bundle(copy, d / "entrez")
    return run.out_dir, d / "entrez"


def test_every_gene_missing_names_both_id_kinds_not_max_missing(entrez_copy, tmp_path):
    run_dir, entrez = entrez_copy
    res = CliRunner().invoke(app, ["features", "--model", str(run_dir), "--data", str(entrez),
                                   "--out", str(tmp_path / "f"), "--max-missing", "1.0",
                                   "--k", "3"])
    assert isinstance(res.exception, InputError), res.output
    said = " ".join(str(res.exception).split())
    assert "--max-missing" not in said
    assert "no gene id in common" in said
    assert "the run's: Ensembl ids, e.g. ENSG" in said
    assert "the bundle's: Entrez ids, e.g. 7157" in said
    # the run's bundles were prepared without an --annotation: none maps Entrez to Ensembl
    assert "none carries Entrez ids" in said and "were prepared with" not in said
