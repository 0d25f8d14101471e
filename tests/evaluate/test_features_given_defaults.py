"""``genemoe features --k 15 --embedding tsne`` (the defaults, given) on a run without a
decoder is said unused, as any other given value is.

Old behaviour: the CLI passed its defaults (15, tsne) to the workflow whether given or not,
and the workflow, unable to tell a given default from a left-out option, said nothing of
``--k 15`` or ``--embedding tsne``, while ``--k 20`` was said unused."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

import genemoe.workflows.features as wf
from genemoe.cli import app
from genemoe.workflows.features import analyse_features
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_GENEMOE


class _Stop(Exception):
    """Raised by the stand-in workflow once it has seen what the CLI passed."""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A `genemoe train` run of a latent model: an encoder, no decoder."""
    from genemoe.workflows.train import train_run

    d = tmp_path_factory.mktemp("features_given")
    bundle, _, _ = prepare_synthetic(d, n_samples=90, n_genes=50, n_types=3, seed=7,
                                     clinical=False)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE}}))
    run = train_run(bundle.path, out_dir=d / "clf", config_path=cfg, epochs=1, device="cpu",
                    progress=False)
    return bundle, run.out_dir


def test_given_defaults_are_said_unused_for_a_run_without_decoder(trained, tmp_path):
    bundle, run_dir = trained
    res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3,
                           k=15, embedding="tsne")
    assert ("--k 15 and --embedding tsne not used: the train run's model has no decoder (the "
            "embeddings and the mixing score need one)") in res.notes
    res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "g", n_features=3)
    assert not any("not used" in n for n in res.notes)  # left out: nothing to say


@pytest.mark.parametrize(("args", "want"), [
    ([], {"k": None, "embedding": None}),
    (["--k", "15", "--embedding", "tsne"], {"k": 15, "embedding": "tsne"})])
def test_the_cli_passes_none_for_an_option_left_out(monkeypatch, tmp_path, args, want):
    seen: dict = {}

    def stand_in(*_args, **kwargs):
        seen.update(kwargs)
        raise _Stop

    monkeypatch.setattr(wf, "analyse_features", stand_in)
    res = CliRunner().invoke(app, ["features", "--model", str(tmp_path / "run"), "--data",
                                   str(tmp_path / "b"), "--out", str(tmp_path / "f"), *args])
    assert isinstance(res.exception, _Stop), res.output
    assert {name: seen[name] for name in want} == want


def test_the_help_still_shows_the_defaults():
    """Left out is None now; the help still says what is used then, in the form of every
    other default (click wrote a string show_default in parentheses: `[default: (15)]`)."""
    text = " ".join(CliRunner().invoke(app, ["features", "--help"]).output.split())
    assert f"mixing score. [default: {wf.K_DEFAULT}]" in text
    assert f"(UMAP needs umap-learn). [default: {wf.EMBEDDING_DEFAULT}]" in text
    assert "[default: (" not in text


def test_a_bad_k_is_still_answered_with_the_default_as_example(tmp_path):
    res = CliRunner().invoke(app, ["features", "--model", str(tmp_path), "--data", str(tmp_path),
                                   "--out", str(tmp_path / "f"), "--k", "abc"])
    assert res.exit_code == 2 and "fix: give --k a whole number, e.g. --k 15" in res.output
