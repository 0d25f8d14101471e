"""The README's "From Python" example runs as written (on the synthetic cohort's files)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.args import as_list, folder_of
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError
from synthetic_inputs import prepare_synthetic

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
    # old behaviour: dir(genemoe) (tab completion) listed none of them, report and ablation
    # were not offered, and a misspelt name said only AttributeError('trainrun')
    assert set(genemoe.__all__) <= set(dir(genemoe))
    assert {"write_report", "run_ablation", "pretrain_run", "analyse_features"} <= set(genemoe.__all__)
    assert genemoe.InputError is InputError  # was reachable only as genemoe.errors.InputError
    with pytest.raises(AttributeError, match="no attribute 'trainrun' .*train_run"):
        genemoe.trainrun  # noqa: B018
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


def test_as_list_takes_one_value_or_many():
    assert as_list("a.tsv") == ["a.tsv"] and as_list(Path("a")) == [Path("a")]
    assert as_list("logreg,fcn", split_commas=True) == ["logreg", "fcn"]
    assert as_list(np.array(["x", "y"])) == ["x", "y"] and as_list(None) is None
    assert as_list(("a", "b")) == ["a", "b"]

    class B:
        path = Path("bundles/b")

    assert folder_of(B()) == Path("bundles/b") and folder_of("r") == Path("r")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    d = tmp_path_factory.mktemp("api")
    bundle, files, _ = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=3, seed=2)
    return d, bundle, files


def test_one_path_a_dict_of_options_and_a_bundle_object_are_taken(made, tmp_path):
    """Old behaviour: prepare_dataset("counts.tsv") read the file "c" (the path's first
    character); a Path failed with "'PosixPath' object is not iterable"; config={"seed": 1}
    with "'dict' object has no attribute 'time_column'"; train_run(bundle) with "expected
    str ... not Bundle"; run_benchmark(models="logreg") tried the models 'l', 'o', 'g'."""
    from genemoe.workflows.benchmark import run_benchmark
    from genemoe.workflows.train import train_run

    _, bundle, files = made
    b = prepare_dataset(Path(files["counts"]), label_paths=str(files["labels"]),
                        out_path=tmp_path / "b", config={"seed": 1, "min_variance": 0})
    assert b.n_samples == bundle.n_samples and b.record["config"]["seed"] == 1
    with pytest.raises(InputError, match=r"config: unknown option sed \(did you mean seed\?\)"):
        prepare_dataset(files["counts"], out_path=tmp_path / "c", config={"sed": 1})
    run = train_run(b, out_dir=tmp_path / "run", model_name="logreg", progress=False)
    assert run.metrics["test"]["macro_f1"] >= 0
    res = run_benchmark(b, task="classify", models="logreg", n_folds=2, out_dir=tmp_path / "bm")
    assert set(res.results["model"]) == {"logreg"}


@pytest.mark.parametrize(("field", "value", "said"), [
    ("val_fraction", "0.1", "is not a number"), ("seed", "1", "is not a whole number"),
    ("min_class_size", 2.5, "is not a whole number"), ("n_folds", True, "is not a whole number")])
def test_prepare_options_of_the_wrong_type_are_refused(field, value, said):
    """Old behaviour: val_fraction="0.1" failed with "'<=' not supported between 'int' and
    'str'"; seed="1" and min_class_size=2.5 were taken."""
    with pytest.raises(InputError, match=f"{field}={value!r} {said}"):
        PrepareConfig(**{field: value})


def test_explain_takes_the_bundles_own_id_arrays_and_one_id(made, tmp_path):
    """Old behaviour: samples=<numpy array> failed with "The truth value of an array ... is
    ambiguous", and samples="ID" was taken as its characters ("given twice: ['-', '0']")."""
    from genemoe.explain import explain_run
    from genemoe.workflows.train import train_run

    d, bundle, _ = made
    train_run(bundle.path, out_dir=d / "fcn", model_name="fcn", epochs=2, progress=False)
    ids = bundle.sample_ids[bundle.indices("test")][:3]
    res = explain_run(d / "fcn", data=bundle, out_dir=tmp_path / "a", samples=ids, progress=False)
    assert res.n_samples == 3
    one = explain_run(d / "fcn", data=bundle.path, out_dir=tmp_path / "b", samples=str(ids[0]),
                      progress=False)
    assert one.n_samples == 1


def test_model_options_from_python_take_any_option_of_the_model(made, tmp_path):
    """Old behaviour: model_options={"n_experts": 3} for genemoe was refused as "takes no
    --n-experts ... these flags are for image models", though the docstring offered it."""
    from genemoe.workflows.train import train_run

    _, bundle, _ = made
    run = train_run(bundle.path, out_dir=tmp_path / "gm", model_name="genemoe", epochs=1,
                    model_options={"n_experts": 3}, progress=False)
    import yaml

    assert yaml.safe_load((run.out_dir / "config.yaml").read_text())["model_config"]["n_experts"] == 3
    with pytest.raises(InputError, match="n_expertz"):
        train_run(bundle.path, out_dir=tmp_path / "x", model_name="genemoe", epochs=1,
                  model_options={"n_expertz": 3}, progress=False)
    with pytest.raises(InputError, match="takes no --image-size"):  # the CLI's image flag
        train_run(bundle.path, out_dir=tmp_path / "y", model_name="genemoe", epochs=1,
                  model_options={"image_size": 32}, progress=False)
    # genemoe's own hidden and dropout were refused as "--hidden, --dropout" image flags
    run = train_run(bundle.path, out_dir=tmp_path / "hd", model_name="genemoe", epochs=1,
                    model_options={"hidden": 64, "dropout": 0.2}, progress=False)
    saved = yaml.safe_load((run.out_dir / "config.yaml").read_text())["model_config"]
    assert (saved["hidden"], saved["dropout"]) == (64, 0.2)


def test_a_data_frame_given_to_predict_is_told_to_be_written_first():
    """Old behaviour: predict_file(run, df) failed with pathlib's "TypeError: expected str,
    bytes or os.PathLike object, not DataFrame"."""
    from genemoe.workflows.predict import predict_file

    with pytest.raises(InputError, match=r"(?s)expression_path is a DataFrame.*df\.to_csv"):
        predict_file("runs/none", pd.DataFrame({"g": [1.0]}), out_path="p.csv")


def test_result_objects_go_where_their_folders_go_and_non_paths_are_named(made, tmp_path,
                                                                           monkeypatch):
    """Old behaviour: predict_file(run_result, ...), explain_run(run_result, ...) and
    write_report(bench_result) failed inside pathlib ("expected str, bytes or os.PathLike
    object, not RunResult"); train_run(42, ...) and out_dir=None the same; prepare_dataset
    returned a Bundle with a relative path, lost after a chdir ("no such bundle directory")."""
    from genemoe.explain import explain_run
    from genemoe.report.html import write_report
    from genemoe.workflows.predict import predict_file
    from genemoe.workflows.train import train_run

    d, bundle, files = made
    monkeypatch.chdir(tmp_path)
    b = prepare_dataset(files["counts"], label_paths=files["labels"], out_path="rel_bundle",
                        config={"min_variance": 0})
    assert b.path.is_absolute() and b.path == (tmp_path / "rel_bundle").absolute()
    run = train_run(b, out_dir=tmp_path / "run", model_name="fcn", epochs=1, progress=False)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    text = predict_file(run, files["counts"], out_path=tmp_path / "p.csv")
    assert "scored" in text and (tmp_path / "p.csv").is_file()
    ex = explain_run(run, data=b, out_dir=tmp_path / "ex", samples=b.sample_ids[:1],
                     progress=False)
    assert ex.n_samples == 1
    assert write_report(run).name == "report.html" and folder_of(ex) == tmp_path / "ex"
    with pytest.raises(InputError, match=r"(?s)data_path is int 42, not a path.*str or pathlib"):
        train_run(42, out_dir=tmp_path / "x", model_name="logreg")
    with pytest.raises(InputError, match=r"out_dir is None, not a path"):
        train_run(b, out_dir=None, model_name="logreg")
    with pytest.raises(InputError, match=r"run is dict .*, not a path"):
        predict_file({"run": 1}, files["counts"], out_path=tmp_path / "q.csv")


def test_one_sample_type_a_short_repr_and_no_doubled_prefix(made):
    """Old behaviour: PrepareConfig(sample_types="01") read '0' and '1' ("unknown sample type
    '0'"); repr(bundle) printed 7,922 characters (the whole record); a DataFrame to
    predict_file said "expression_path: expression_path is a DataFrame"."""
    from genemoe.workflows.predict import predict_file

    assert PrepareConfig(sample_types="01").sample_types == ("01",)
    assert PrepareConfig(sample_types="01,TM").sample_types == ("01", "TM")
    _, bundle, _ = made
    text = repr(bundle)
    assert len(text) < 200 and text.startswith("<Bundle at ")
    assert f"{bundle.n_samples} samples x {bundle.n_genes} genes" in text
    with pytest.raises(InputError) as err:
        predict_file("runs/none", pd.DataFrame({"g": [1.0]}), out_path="p.csv")
    assert str(err.value).count("expression_path") == 1


def test_load_bundle_names_a_non_path_and_takes_a_bundle():
    """Old behaviour: genemoe.load_bundle(7) raised pathlib's TypeError."""
    from genemoe.data.bundle import load_bundle

    with pytest.raises(InputError, match=r"path is int 7, not a path"):
        load_bundle(7)


def test_result_folders_survive_a_change_of_working_folder(made, tmp_path, monkeypatch):
    """Old behaviour (note42): ``RunResult.out_dir`` was the relative path given, so after a
    notebook's ``os.chdir`` it pointed elsewhere; explain's ``files`` the same. They are
    absolute; ``describe`` still shows the path as given (relative to the working folder)."""
    from genemoe.data.anndata_io import write_h5ad
    from genemoe.explain import explain_run
    from genemoe.report.html import write_report
    from genemoe.workflows.train import train_run

    _, bundle, _ = made
    monkeypatch.chdir(tmp_path)
    run = train_run(bundle.path, out_dir="run", model_name="logreg", progress=False)
    ex = explain_run("run", data=bundle.path, out_dir="ex", samples=list(bundle.sample_ids[:2]),
                     progress=False)
    page, h5ad = write_report("run"), write_h5ad(bundle, "b.h5ad")  # were relative (a probe)
    assert "→ run" in run.describe() and "→ ex" in ex.describe().splitlines()[0]
    assert "wrote genes_by_class.csv" in ex.describe()
    monkeypatch.chdir(tmp_path.parent)
    assert run.out_dir == tmp_path / "run" and (run.out_dir / "metrics.json").exists()
    assert ex.out_dir == tmp_path / "ex" and all(p.exists() for p in ex.files)
    assert page.exists() and h5ad.exists() and page.is_absolute() and h5ad.is_absolute()
    assert f"→ {tmp_path.name}/run" in run.describe()  # relative to the new working folder


def test_counts_that_are_not_whole_numbers_are_refused_by_name(made, tmp_path):
    """A notebook probe: ``run_benchmark(n_folds=2.5)`` ended in range()'s TypeError (no
    argument named, not a GenemoeError); ``explain_run(top=0)`` drew squashed figures."""
    from genemoe.explain import explain_run
    from genemoe.workflows.benchmark import run_benchmark
    from genemoe.workflows.train import train_run

    _, bundle, _ = made
    with pytest.raises(InputError, match=r"--folds: must be a whole number, got 2\.5"):
        run_benchmark(bundle.path, out_dir=tmp_path / "b", task="classify", models="logreg",
                      n_folds=2.5)
    with pytest.raises(InputError, match=r"--repeats: must be a whole number, got '2'"):
        run_benchmark(bundle.path, out_dir=tmp_path / "b", task="classify", models="logreg",
                      n_repeats="2")
    assert not (tmp_path / "b").exists()
    run = train_run(bundle.path, out_dir=tmp_path / "run", model_name="logreg", progress=False)
    for top in (0, -3, 2.5):
        with pytest.raises(InputError, match=rf"top: must be a whole number of 1 or more, got {top}"):
            explain_run(run, data=bundle.path, out_dir=tmp_path / "ex", top=top, progress=False)


def test_the_steps_said_for_samples_above_tolerance_are_those_taken():
    """``n_steps=8`` doubled to 128 within max_steps 400; the summary said "after 400 steps"."""
    from genemoe.explain.summary_text import still_off_text

    refine = {"tolerance": 0.01, "max_steps": 400, "samples_by_steps": {"64": 2, "128": 6},
              "n_samples_above_tolerance": 1}
    assert still_off_text(refine) == ("; 1 above the 1% tolerance after 128 steps "
                                      "(convergence.json: samples_by_steps)")
    assert "after 400 steps" in still_off_text({**refine, "samples_by_steps": {}})


def test_a_model_without_the_task_is_refused_before_the_bundle_is_read(tmp_path):
    """A notebook probe: ``train_run(task="survival", model_name="logreg")`` first warned of
    the bundle's samples without survival, then refused the model; the bundle need not exist."""
    from genemoe.workflows.train import train_run

    with pytest.raises(InputError, match=r"--model: model 'logreg' does not support task 'survival'"):
        train_run(tmp_path / "no_bundle", out_dir=tmp_path / "r", task="survival",
                  model_name="logreg", progress=False)


_WARN_RUN = """
import logging, sys
import genemoe
if sys.argv[1] == "configured":
    logging.basicConfig(format="LOGGED %(message)s")
b = genemoe.prepare_dataset(["TCGA_ACC_Counts.tsv", "TCGA_UVM_Counts.tsv"], out_path="b",
                            config={"min_class_size": 3, "min_variance": 0, "min_mean": 0})
print("KEPT", len(b.record["warnings"]))
"""


@pytest.mark.parametrize("logging_set_up", ["bare", "configured"])
def test_prepare_warnings_reach_a_python_caller_once(tmp_path, monkeypatch, logging_set_up):
    """Old behaviour: prepare_dataset kept its warnings in the record (a capturing handler on
    the genemoe logger), so Python's last-resort handler never printed them: from Python,
    "dropping classes with fewer than 3 samples" and every other warning went unsaid, while
    train_run's printed. Now printed once bare, once by the caller's own handler."""
    import subprocess

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "data"))
    from xena_files import gene_table, raw_counts

    for project, n in (("ACC", 6), ("UVM", 2)):
        m = raw_counts(project, gene_table(30), n, seed=1)
        m.index.name = "gene_id"
        m.to_csv(tmp_path / f"TCGA_{project}_Counts.tsv", sep="\t")
    run = subprocess.run([sys.executable, "-c", _WARN_RUN, logging_set_up], cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    said = [line for line in run.stderr.splitlines() if "fewer than 3 samples" in line]
    assert len(said) == 1, run.stderr
    assert said[0].startswith("LOGGED ") == (logging_set_up == "configured")
    assert "KEPT " in run.stdout and "KEPT 0" not in run.stdout
