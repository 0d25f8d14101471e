"""The ``genemoe`` command line: one thin command per library entry point.

Nothing but argument parsing lives here; each command calls one library function.
Errors for bad input (:class:`~genemoe.errors.GenemoeError`) print their message and
exit with status 2; commands whose capability is not built yet exit with status 3.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from genemoe.errors import GenemoeError, NotBuiltError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="genemoe: pan-cancer RNA-seq tumour typing, survival risk and explanations.")
download_app = typer.Typer(no_args_is_help=True, help="Download public data (UCSC Xena).")
app.add_typer(download_app, name="download")

log = logging.getLogger("genemoe")

Paths = Annotated[list[Path], typer.Option(help="Input file (repeat the flag for several).")]
# Options several commands share (one declaration, one help text).
Bundle = Annotated[Path, typer.Option(help="Bundle directory.")]
Preset = Annotated[str, typer.Option(help="small | base | paper, or a YAML path.")]
ConfigYaml = Annotated[Path | None, typer.Option(help="YAML overriding the preset.")]
Device = Annotated[str, typer.Option(help="auto | cpu | cuda")]
Epochs = Annotated[int | None, typer.Option(help="Override the preset's epochs.")]
Seed = Annotated[int, typer.Option(help="Seed.")]
FoldSeed = Annotated[int, typer.Option(help="Seed of the folds and the models.")]
Folds = Annotated[int, typer.Option(help="K of the stratified K-fold split.")]
Repeats = Annotated[int, typer.Option(help="Repeats of the K-fold split (seed + repeat).")]
Progress = Annotated[bool, typer.Option(help="Show a progress bar.")]


def _csv(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


def _echo_summary(summary: dict, path: Path) -> None:
    typer.echo(f"bundle: {path}")
    typer.echo(f"  samples: {summary['n_samples']}  genes: {summary['n_genes']}  "
               f"types: {summary['n_cancer_types']}  with survival: {summary['n_with_survival']}"
               + ("  [SYNTHETIC DATA]" if summary.get("synthetic") else ""))
    for kind in ("samples", "genes"):
        for reason, n in summary.get("dropped", {}).get(kind, {}).items():
            typer.echo(f"  dropped {n} {kind}: {reason}")


@download_app.command("tcga")
def download_tcga_cmd(
    out: Annotated[Path, typer.Option(help="Cache directory for the downloaded files.")],
    projects: Annotated[str | None, typer.Option(help="Comma-separated TCGA codes (default: all 33).")] = None,
    source: Annotated[str, typer.Option(help="gdc (per-project FPKM-UQ) or pancan (PanCanAtlas).")] = "gdc",
    base_url: Annotated[str | None, typer.Option(help="Mirror of the Xena hub.")] = None,
    retries: Annotated[int, typer.Option(help="Retries per file.")] = 3,
) -> None:
    """Fetch TCGA expression, phenotype and survival tables and the gene map from UCSC Xena."""
    from genemoe.data.download import download_tcga

    result = download_tcga(out, projects=_csv(projects), source=source, base_url=base_url,
                           retries=retries)
    typer.echo(f"{len(result.paths)} files in {out} ({len(result.downloaded)} downloaded, "
               f"{len(result.cached)} from cache)")


@app.command()
def prepare(
    expression: Paths,
    out: Annotated[Path, typer.Option(help="Bundle directory to write.")],
    labels: Annotated[list[Path] | None, typer.Option(help="Label table(s): sample → cancer type.")] = None,
    clinical: Annotated[Path | None, typer.Option(help="Survival table (TCGA-CDR or Xena survival.tsv).")] = None,
    annotation: Annotated[Path | None, typer.Option(help="Gene annotation (Ensembl TSV or Xena probeMap).")] = None,
    sample_types: Annotated[str, typer.Option(help="TCGA sample-type codes to keep.")] = "01,03",
    label_column: Annotated[str | None, typer.Option(help="Label column (overrides detection).")] = None,
    sample_column: Annotated[str | None, typer.Option(help="Sample column of the label table.")] = None,
    orientation: Annotated[str, typer.Option(help="auto | genes_by_samples | samples_by_genes")] = "auto",
    normalisation: Annotated[str, typer.Option(help="auto | log2cpm | log2tpm | fpkm_uq | log2p1 | none")] = "auto",
    min_variance: Annotated[float, typer.Option(help="Gene filter: drop if variance below this …")] = 0.4,
    min_mean: Annotated[float, typer.Option(help="… and mean below this (training split).")] = 0.8,
    protein_coding_only: Annotated[bool, typer.Option(help="Keep protein-coding genes only.")] = False,
    endpoint: Annotated[str, typer.Option(help="Survival endpoint: OS | DSS | DFI | PFI.")] = "OS",
    val_fraction: Annotated[float, typer.Option(help="Validation share of each class.")] = 0.1,
    test_fraction: Annotated[float, typer.Option(help="Test share of each class.")] = 0.2,
    folds: Annotated[int | None, typer.Option(help="Also assign K stratified folds.")] = None,
    drop_unlabelled: Annotated[bool, typer.Option(help="Drop (and count) samples with no label.")] = False,
    min_class_size: Annotated[int, typer.Option(help="Drop classes smaller than this.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the splits.")] = 0,
) -> None:
    """Read expression (+ labels, survival, annotation) and write a dataset bundle."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset

    cfg = PrepareConfig(
        sample_types=_csv(sample_types) or (), orientation=orientation, normalisation=normalisation,
        label_column=label_column, sample_column=sample_column, drop_unlabelled=drop_unlabelled,
        min_class_size=min_class_size, min_variance=min_variance, min_mean=min_mean,
        protein_coding_only=protein_coding_only, endpoint=endpoint.upper(),
        val_fraction=val_fraction, test_fraction=test_fraction, n_folds=folds, seed=seed,
    )
    bundle = prepare_dataset(expression, out_path=out, label_paths=labels or (),
                             clinical_path=clinical, annotation_path=annotation, config=cfg)
    _echo_summary(bundle.summary, out)


@app.command()
def train(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="Run directory to write.")],
    task: Annotated[str, typer.Option(help="classify | survival")] = "classify",
    model: Annotated[str, typer.Option(help="Registered model name (see `genemoe models`).")] = "genemoe",
    preset: Preset = "small",
    config: ConfigYaml = None,
    seed: Seed = 0,
    device: Device = "auto",
    epochs: Epochs = None,
    pretrained: Annotated[Path | None, typer.Option(help="Pre-trained run to start from.")] = None,
    freeze_encoder_epochs: Annotated[int, typer.Option(
        help="With --pretrained: keep the encoder frozen for this many epochs.")] = 0,
    encoder_lr: Annotated[float | None, typer.Option(
        help="With --pretrained: the encoder's own peak learning rate (e.g. 1e-4); the head "
             "keeps the train: lr, and warmup/decay scale both.")] = None,
    layout: Annotated[str | None, typer.Option(
        help="Image models: gene -> pixel layout, reshape | genomic | similarity.")] = None,
    image_size: Annotated[int | None, typer.Option(
        help="Image models: image side in pixels (64, 128, 224).")] = None,
    weights: Annotated[str | None, typer.Option(
        help="ImageNet backbones: imagenet | none | PATH (a timm state-dict file).")] = None,
    finetune: Annotated[str | None, typer.Option(
        help="ImageNet backbones: head | last_block | all.")] = None,
    progress: Progress = True,
) -> None:
    """Train a model on a bundle's training split; select on validation; test once."""
    from genemoe.workflows.train import train_run

    image_options = {k: v for k, v in {"layout": layout, "image_size": image_size,
                                       "weights": weights, "finetune": finetune}.items()
                     if v is not None}
    result = train_run(data, out_dir=out, task=task, model_name=model, preset=preset,
                       config_path=config, seed=seed, device=device, epochs=epochs,
                       progress=progress, pretrained=pretrained,
                       freeze_encoder_epochs=freeze_encoder_epochs, encoder_lr=encoder_lr,
                       model_options=image_options)
    typer.echo(result.describe())


@app.command()
def predict(
    model: Annotated[Path, typer.Option(help="Run directory written by `genemoe train`.")],
    expression: Annotated[Path, typer.Option(help="New samples (any supported format).")],
    out: Annotated[Path, typer.Option(help="Output .csv or .parquet.")],
    annotation: Annotated[Path | None, typer.Option(help="Annotation to map symbols/Entrez.")] = None,
    max_missing: Annotated[float, typer.Option(help="Refuse above this share of missing genes.")] = 0.2,
    orientation: Annotated[str, typer.Option(help="auto | genes_by_samples | samples_by_genes")] = "auto",
    precision: Annotated[str, typer.Option(
        help="fp32 | bf16: bf16 runs a neural model's forward in bfloat16 (about 2x faster on "
             "CPU, ~3 significant digits); refused for classical models.")] = "fp32",
) -> None:
    """Score new samples: predicted type, class probabilities and/or risk."""
    from genemoe.workflows.predict import predict_file

    report = predict_file(model, expression, out_path=out, annotation_path=annotation,
                          max_missing=max_missing, orientation=orientation, precision=precision)
    typer.echo(report)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("demo_out"),
    data: Annotated[Path | None, typer.Option(help="Use this bundle instead of the synthetic cohort.")] = None,
    seed: Seed = 0,
) -> None:
    """Run the whole pipeline built so far on the synthetic cohort (or --data)."""
    from genemoe.workflows.demo import run_demo

    typer.echo(run_demo(out, data=data, seed=seed))


@app.command()
def export(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="AnnData file to write (.h5ad), for scanpy.")],
) -> None:
    """Write a bundle as AnnData (.h5ad): X, obs, var and the preparation record."""
    from genemoe.data.bundle import load_bundle
    from genemoe.data.read import write_h5ad

    typer.echo(f"wrote {write_h5ad(load_bundle(data), out)}")


@app.command("models")
def models_cmd(task: Annotated[str | None, typer.Option(help="Only models for this task.")] = None) -> None:
    """List the registered models."""
    from genemoe.models.registry import get_spec, list_models

    for name in list_models(task=task):
        spec = get_spec(name)
        typer.echo(f"{name:14s} {spec.kind:8s} {','.join(spec.tasks):18s} {spec.description}")


@app.command()
def pretrain(
    data: Annotated[list[Path], typer.Option(help="Bundle directory (repeat for several).")],
    out: Annotated[Path, typer.Option(help="Run directory to write (resumed if it has a checkpoint).")],
    preset: Preset = "small",
    config: ConfigYaml = None,
    seed: Seed = 0,
    device: Device = "auto",
    epochs: Annotated[int | None, typer.Option(help="Override the preset's pretrain epochs.")] = None,
    model: Annotated[str | None, typer.Option(
        help="Encoder family: genemoe | moe | vaecox (default: the preset's pretrain.model).")] = None,
    progress: Progress = True,
) -> None:
    """Self-supervised pre-training of an encoder/decoder (Gene-MOE: WGAN-GP + KL + L1)."""
    from genemoe.workflows.pretrain import pretrain_run

    result = pretrain_run(data, out_dir=out, preset=preset, config_path=config, seed=seed,
                          device=device, epochs=epochs, progress=progress, model=model)
    typer.echo(result.describe())


@app.command()
def explain(
    model: Annotated[Path, typer.Option(help="Run directory written by `genemoe train` (neural model).")],
    data: Annotated[Path, typer.Option(help="Bundle to take the samples from.")],
    out: Annotated[Path, typer.Option(help="Directory to write the rankings, attributions and figures.")],
    samples: Annotated[str | None, typer.Option(help="Comma-separated sample ids (default: --split).")] = None,
    split: Annotated[str, typer.Option(help="test | val | train | all (without --samples).")] = "test",
    baseline: Annotated[str, typer.Option(help="train_mean | zeros (log-scale zero expression).")] = "train_mean",
    n_steps: Annotated[int, typer.Option(help="Integration steps per sample.")] = 50,
    internal_batch_size: Annotated[int, typer.Option(help="Rows per forward/backward pass.")] = 64,
    max_samples_per_class: Annotated[int, typer.Option(help="At most this many per predicted class.")] = 50,
    method: Annotated[str, typer.Option(
        help="auto (train_ig for sparse MoE models, IG otherwise) | ig | frozen_ig | "
             "train_ig | gradient_shap | deeplift.")] = "auto",
    genes: Annotated[str, typer.Option(help="Rank all | expressed | protein_coding genes.")] = "all",
    n_draws: Annotated[int | None, typer.Option(
        help="GradientSHAP draws / train_ig references per sample (default 32 / 8).")] = None,
    max_steps: Annotated[int, typer.Option(
        help="IG: re-integrate samples missing completeness by > 1% with 4x the steps, up to this.")] = 400,
    seed: Annotated[int, typer.Option(help="Seed of GradientSHAP's draws.")] = 0,
    compare: Annotated[bool, typer.Option(
        help="Compare every method on these samples instead (OUT/methods.csv).")] = False,
    other: Annotated[Path | None, typer.Option(
        help="With --compare: a second run (another seed or fold) for top-50 stability.")] = None,
) -> None:
    """Gene rankings per class and per sample (or for the risk) of a trained run."""
    if compare:
        from genemoe.explain.compare import compare_methods

        table = compare_methods(model, data=data, out_dir=out, other_run=other, split=split,
                                baseline=baseline, n_steps=n_steps, n_draws=n_draws, genes=genes,
                                max_samples_per_class=max_samples_per_class, seed=seed)
        typer.echo(table.to_string(index=False))
        return
    from genemoe.explain import explain_run

    result = explain_run(model, data=data, out_dir=out, samples=list(_csv(samples) or ()) or None,
                         split=split, baseline=baseline, n_steps=n_steps,
                         internal_batch_size=internal_batch_size,
                         max_samples_per_class=max_samples_per_class, method=method, genes=genes,
                         n_draws=n_draws, seed=seed, max_steps=max_steps)
    typer.echo(result.describe())


@app.command()
def benchmark(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="Benchmark directory (re-run the command to resume).")],
    models: Annotated[str | None, typer.Option(
        help="Comma-separated registered models (see `genemoe models`); default: classify "
             "svm,svm_linear,logreg,rf,mlp,fcn,moe,genemoe; survival "
             "coxnet,coxph,coxnnet,vaecox,fcn,genemoe.")] = None,
    task: Annotated[str, typer.Option(help="classify | survival")] = "classify",
    folds: Folds = 3,
    repeats: Repeats = 1,
    preset: Preset = "small",
    seed: FoldSeed = 0,
    epochs: Epochs = None,
    device: Device = "auto",
    plots: Annotated[bool, typer.Option(help="Also draw the PNG figures into OUT/plots.")] = True,
    progress: Progress = True,
) -> None:
    """Every model on identical, repeated, stratified folds: results.csv and summary.md."""
    from genemoe.workflows.benchmark import run_benchmark

    result = run_benchmark(data, task=task, models=None if models is None else list(_csv(models) or ()),
                           n_folds=folds,
                           n_repeats=repeats, preset=preset, seed=seed, out_dir=out, epochs=epochs,
                           device=device, progress=progress)
    typer.echo(result.describe())
    if plots:
        from genemoe.report.plots import benchmark_figures

        typer.echo(f"  {len(benchmark_figures(out))} figures in {out / 'plots'}")


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A run (`genemoe train`) or benchmark directory.")],
    out: Annotated[Path | None, typer.Option(help="HTML file to write (default DIR/report.html).")] = None,
) -> None:
    """One self-contained HTML report (figures embedded) of a run or benchmark directory."""
    from genemoe.report.html import write_report

    typer.echo(f"wrote {write_report(directory, out_path=out)}")


@app.command()
def ablation(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="Output directory (re-run the command to resume).")],
    task: Annotated[str, typer.Option(help="classify (Table III) | survival (Table II)")] = "classify",
    repeats: Repeats = 5,
    folds: Folds = 3,
    preset: Preset = "small",
    pretrained: Annotated[Path | None, typer.Option(
        help="`genemoe pretrain` run for the pre-trained Gene-MOE (must not hold test samples).")] = None,
    pretrain_per_fold: Annotated[bool, typer.Option(
        help="Instead of --pretrained: pre-train Gene-MOE (survival: also VAE-Cox) on each "
             "fold's training part (test part never read), into OUT/pretrain/.")] = False,
    pretrain_epochs: Annotated[int | None, typer.Option(
        help="With --pretrain-per-fold: override the preset's pretrain epochs.")] = None,
    freeze_encoder_epochs: Annotated[int, typer.Option(
        help="With --pretrained or --pretrain-per-fold: keep the encoder frozen for this many "
             "epochs.")] = 0,
    seed: FoldSeed = 0,
    epochs: Epochs = None,
    device: Device = "auto",
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples of each survival C-index CI.")] = 200,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """The paper's ablation (fcn, moe, genemoe, pre-trained genemoe) on identical folds."""
    from genemoe.workflows.ablation import run_ablation

    result = run_ablation(data, task=task, out_dir=out, n_repeats=repeats, n_folds=folds,
                          preset=preset, seed=seed, pretrained=pretrained,
                          freeze_encoder_epochs=freeze_encoder_epochs, epochs=epochs,
                          device=device, n_boot=n_boot, progress=progress,
                          pretrain_per_fold=pretrain_per_fold, pretrain_epochs=pretrain_epochs)
    typer.echo(result.describe())


@app.command()
def features(
    model: Annotated[Path, typer.Option(help="A `genemoe pretrain` run (or a `genemoe train` run).")],
    data: Annotated[Path, typer.Option(help="Bundle holding the held-out samples.")],
    out: Annotated[Path, typer.Option(help="Directory to write the tables, figures and summary.json.")],
    split: Annotated[str, typer.Option(help="test | val | train | all (refused if the run used them).")] = "test",
    n_features: Annotated[int, typer.Option(help="Leading latent features (highest variance).")] = 20,
    threshold: Annotated[float, typer.Option(help="Strong genes: mean |r| above this.")] = 0.4,
    embedding: Annotated[str, typer.Option(help="tsne | umap | both (UMAP needs umap-learn).")] = "tsne",
    max_samples: Annotated[int, typer.Option(help="At most this many samples (seeded draw).")] = 1000,
    k: Annotated[int, typer.Option(help="Neighbours of the k-NN mixing score.")] = 15,
    seed: Annotated[int, typer.Option(help="Seed of the sample draw and the embeddings.")] = 0,
) -> None:
    """Latent-feature analysis (paper Fig. 8): feature-gene correlation, real vs reconstructed."""
    from genemoe.report.feature_plots import feature_figures
    from genemoe.workflows.features import analyse_features

    result = analyse_features(model, data=data, out_dir=out, split=split, n_features=n_features,
                              threshold=threshold, embedding=embedding, k=k,
                              max_samples=max_samples, seed=seed)
    result.summary["figures"] = [str(p) for p in feature_figures(out)]
    typer.echo(result.describe())


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main() -> None:
    """Console entry point: user errors print cleanly (status 2; 3 = not built yet).

    Usage errors (unknown option, missing value) are typer's own: usage text, status 2.
    """
    try:
        app()
    except NotBuiltError as exc:
        typer.echo(f"genemoe: not built yet: {exc}", err=True)
        sys.exit(3)
    except GenemoeError as exc:
        typer.echo(f"genemoe: error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
