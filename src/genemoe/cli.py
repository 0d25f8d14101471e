"""The ``genemoe`` command line: one thin command per library entry point.

Nothing but argument parsing lives here; each command calls one library function.
Errors for bad input (:class:`~genemoe.errors.GenemoeError`) print their message and
exit with status 2; commands whose capability is not built yet exit with status 3.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from genemoe.cli_args import CliCommand, CliGroup
from genemoe.cli_ensemble import EnsembleMembers
from genemoe.cli_inputs import (
    bundle_summary_lines,
    expand_paths,
    joined_inputs,
    next_step,
    one_predict_input,
    only_with,
)
from genemoe.cli_logging import error_text, say, setup_logging, show_version
from genemoe.cli_options import (
    EPOCHS_RANGE,
    EXPORT_HELP,
    SEED_RANGE,
    Bundle,
    Clinical,
    ConfigYaml,
    Device,
    Epochs,
    EventColumn,
    Folds,
    FoldSeed,
    LabelColumn,
    Layer,
    Precision,
    PredictClinical,
    PredictLabels,
    PredictNormalisation,
    Preset,
    Progress,
    Repeats,
    SampleColumn,
    Seed,
    StudyName,
    TimeColumn,
    ValFraction,
    csv_option,
)
from genemoe.cli_process import (
    defer_interrupts_in_imports,
    training_process,
    tuning_process,
)
from genemoe.data.args import shown_path
from genemoe.errors import GenemoeError, Interrupted, NotBuiltError
from genemoe.report.text import download_listing_lines

HELP = {"help_option_names": ["-h", "--help"]}  # -h, as most command-line tools
app = typer.Typer(add_completion=False, no_args_is_help=True, cls=CliGroup, context_settings=HELP,
                  rich_markup_mode=None,  # errors and help as plain text (Rich boxed them)
                  help="genemoe: pan-cancer RNA-seq tumour typing, survival risk and explanations.")
download_app = typer.Typer(no_args_is_help=True, cls=CliGroup, context_settings=HELP,
                           help="Download public data (UCSC Xena).")
app.add_typer(download_app, name="download")

log = logging.getLogger("genemoe")

@download_app.command("tcga", cls=CliCommand)
def download_tcga_cmd(
    out: Annotated[Path, typer.Option(help="Cache directory for the downloaded files.")] = Path("xena"),
    projects: Annotated[str | None, typer.Option(help="Comma-separated TCGA codes (default: all 33).")] = None,
    source: Annotated[str, typer.Option(help="gdc (per-project STAR matrices) or pancan (PanCanAtlas).")] = "gdc",
    values: Annotated[str, typer.Option(
        help="GDC hub matrix: fpkm_uq (the paper's normalisation) | tpm | counts | fpkm, all log2(x+1).")] = "fpkm_uq",
    base_url: Annotated[str | None, typer.Option(help="Mirror of the Xena hub.")] = None,
    retries: Annotated[int, typer.Option(
        help="Retries per file after a failed attempt (2: up to 3 attempts; 0: no retry).")] = 2,
    list_only: Annotated[bool, typer.Option("--list", help="Print what would be fetched (with sizes "
                                            "where known) and fetch nothing.")] = False,
) -> None:
    """Fetch TCGA expression, clinical and survival tables and the gene map from UCSC Xena."""
    from genemoe.data.download import check_retries, download_tcga
    from genemoe.data.download_listing import list_downloads

    check_retries(retries)  # --list too: it took --retries -1
    if list_only:
        planned = list_downloads(out, projects=csv_option(projects), source=source, values=values,
                                 base_url=base_url)
        verbose = logging.getLogger("genemoe").level <= logging.DEBUG  # -v: each file's URL
        say("\n".join(download_listing_lines(planned, out, urls=verbose)))
        return
    result = download_tcga(out, projects=csv_option(projects), source=source, values=values,
                           base_url=base_url, retries=retries)
    say("\n".join(filter(None, (result.summary(), result.next_command()))))  # its prepare


@app.command(cls=CliCommand)
def prepare(
    out: Annotated[Path, typer.Option(help="Bundle directory to write.")],
    expression: Annotated[list[Path] | None, typer.Option(
        help="Expression file(s): several after one flag, a shell glob, or the flag repeated.")] = None,
    gdc_dir: Annotated[Path | None, typer.Option(
        help="GDC portal download: folder of *.rna_seq.augmented_star_gene_counts.tsv files.")] = None,
    sample_sheet: Annotated[Path | None, typer.Option(
        help="With --gdc-dir: the portal's gdc_sample_sheet.*.tsv (or metadata.cart.*.json).")] = None,
    gdc_values: Annotated[str, typer.Option(
        help="With --gdc-dir: counts (unstranded) | tpm | fpkm | fpkm_uq column.")] = "counts",
    quant_dir: Annotated[Path | None, typer.Option(
        help="Folder of per-sample Salmon, kallisto, RSEM, STAR ReadsPerGene or HTSeq-count "
             "files, joined first (samples named by folder or file).")] = None,
    quant_values: Annotated[str, typer.Option(help="With --quant-dir: counts | tpm.")] = "counts",
    strand: Annotated[str, typer.Option(
        help="With STAR files: auto | unstranded | forward | reverse column.")] = "auto",
    tx2gene: Annotated[Path | None, typer.Option(
        help="With transcript-level files: transcript → gene table.")] = None,
    labels: Annotated[list[Path] | None, typer.Option(
        help="Label table(s), sample → cancer type (several after one flag, or repeated).")] = None,
    clinical: Clinical = None,
    annotation: Annotated[Path | None, typer.Option(help="Gene annotation (Ensembl TSV or Xena probemap).")] = None,
    cancer_type: Annotated[str | None, typer.Option(
        help="Cancer type of every sample no label table names (a single-cohort file).")] = None,
    time_column: TimeColumn = None,
    event_column: EventColumn = None,
    sample_types: Annotated[str, typer.Option(help="TCGA sample-type codes to keep.")] = "01,03",
    one_per_patient: Annotated[bool, typer.Option("--one-per-patient/--every-profile", help=(
        "One profile per patient, or every profile (splits still keep a patient together)."))] = True,
    label_column: LabelColumn = None,
    sample_column: SampleColumn = None,
    orientation: Annotated[str, typer.Option(help="auto | genes_by_samples | samples_by_genes")] = "auto",
    layer: Layer = None,
    normalisation: Annotated[str, typer.Option(help="auto | log2cpm | log2tpm | fpkm_uq | log2p1 | none")] = "auto",
    min_variance: Annotated[float, typer.Option(help="Gene filter: drop if variance below this …")] = 0.4,
    min_mean: Annotated[float, typer.Option(help="… and mean below this (training split).")] = 0.8,
    protein_coding_only: Annotated[bool, typer.Option(help="Keep protein-coding genes only.")] = False,
    endpoint: Annotated[str, typer.Option(help="Survival endpoint: OS | DSS | DFI | PFI.")] = "OS",
    val_fraction: ValFraction = 0.1,
    test_fraction: Annotated[float, typer.Option(help="Test share of each class.")] = 0.2,
    folds: Annotated[int | None, typer.Option(help="Also assign K stratified folds.")] = None,
    drop_unlabelled: Annotated[bool, typer.Option(help="Drop (and count) samples with no label.")] = False,
    min_class_size: Annotated[int, typer.Option(help="Drop classes smaller than this.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the splits.", **SEED_RANGE)] = 0,
) -> None:
    """Read expression (+ labels, survival, annotation) and write a dataset bundle."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset

    cfg = PrepareConfig(
        sample_types=csv_option(sample_types) or (), orientation=orientation, normalisation=normalisation,
        label_column=label_column, sample_column=sample_column, drop_unlabelled=drop_unlabelled,
        one_per_patient=one_per_patient, cancer_type=cancer_type, min_class_size=min_class_size, min_variance=min_variance,
        min_mean=min_mean, protein_coding_only=protein_coding_only, endpoint=endpoint.upper(),
        time_column=time_column, event_column=event_column, layer=layer,
        val_fraction=val_fraction, test_fraction=test_fraction, n_folds=folds, seed=seed,
    )
    joined = joined_inputs(out, gdc_dir=gdc_dir, sample_sheet=sample_sheet,
                           gdc_values=gdc_values, quant_dir=quant_dir, quant_values=quant_values,
                           strand=strand, tx2gene=tx2gene)
    for line in joined.lines:
        say(line)
    expression_paths = expand_paths(expression, "--expression") + joined.expression
    label_paths = expand_paths(labels, "--labels") + joined.labels
    clinical_paths = expand_paths(clinical, "--clinical")
    bundle = prepare_dataset(expression_paths, out_path=out, label_paths=label_paths,
                             clinical_path=clinical_paths or None, annotation_path=annotation,
                             config=cfg)
    say("\n".join([*bundle_summary_lines(bundle.summary, out), next_step("prepare", out)]))


@app.command(cls=CliCommand)
def train(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="Run directory to write.")],
    task: Annotated[str, typer.Option(help="classify | survival")] = "classify",
    model: Annotated[str, typer.Option(help="Registered model name (see `genemoe models`).")] = "genemoe",
    preset: Preset = "small", config: ConfigYaml = None,
    seed: Seed = 0,
    device: Device = "auto",
    epochs: Epochs = None,
    pretrained: Annotated[Path | None, typer.Option(help="A `genemoe pretrain` run (its --out) to start from.")] = None,
    freeze_encoder_epochs: Annotated[int, typer.Option(
        help="With --pretrained: keep the encoder frozen for this many epochs.")] = 0,
    encoder_lr: Annotated[float | None, typer.Option(
        help="With --pretrained: the pre-trained encoder's own peak learning rate (e.g. 1e-4); "
             "the rest keeps the preset's learning rate (train.lr); warm-up and decay apply to both.")] = None,
    layout: Annotated[str | None, typer.Option(
        help="Image models: gene -> pixel layout, reshape | genomic | similarity.")] = None,
    image_size: Annotated[int | None, typer.Option(
        help="Image models: image side in pixels (64, 128, 224).")] = None,
    weights: Annotated[str | None, typer.Option(
        help="ImageNet backbones: imagenet | none | PATH (a timm state-dict file); "
             "default none (random init).")] = None,
    finetune: Annotated[str | None, typer.Option(
        help="ImageNet backbones: auto | head | last_block | all (auto: last_block on "
             "pretrained weights, all on none).")] = None,
    ensemble: Annotated[int, typer.Option(
        help="K > 1: one run of K members, probabilities (then one temperature on the average) "
             "or raw risks (then one risk scale) averaged (neural models and random forests: K "
             "seeds; other classical: K inner folds of the training split).")] = 1,
    ensemble_members: EnsembleMembers = "auto",
    progress: Progress = True,
) -> None:
    """Train a model on a bundle's training split; select on validation; test once."""
    training_process()
    from genemoe.workflows.train import train_run

    image_options = {k: v for k, v in {"layout": layout, "image_size": image_size,
                                       "weights": weights, "finetune": finetune}.items()
                     if v is not None}
    result = train_run(data, out_dir=out, task=task, model_name=model, preset=preset,
                       config_path=config, seed=seed, device=device, epochs=epochs,
                       progress=progress, pretrained=pretrained,
                       freeze_encoder_epochs=freeze_encoder_epochs, encoder_lr=encoder_lr,
                       model_options=image_options, ensemble=ensemble,
                       ensemble_members=ensemble_members)
    if text := result.describe():  # a torchrun worker other than rank 0 has nothing to say
        say(f"{text}\n{next_step('train', out)}")


@app.command(cls=CliCommand)
def tune(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="Folder for best.yaml, trials.csv, search.png (and study.db).")],
    task: Annotated[str, typer.Option(help="classify | survival")] = "classify",
    model: Annotated[str, typer.Option(help="Registered model name (see `genemoe models`).")] = "genemoe",
    trials: Annotated[int, typer.Option(help="Trials the study should hold in all (resumes count).")] = 20,
    preset: Preset = "small", config: ConfigYaml = None,
    seed: Seed = 0,
    storage: Annotated[str | None, typer.Option(
        help="Study database URL (default sqlite:///OUT/study.db); a shared postgresql://... "
             "lets several machines work on one study.")] = None,
    study: StudyName = None,
    device: Device = "auto",
    epochs: Epochs = None,
    timeout: Annotated[float | None, typer.Option(help="Start no trial after this many seconds.")] = None,
    cv: Annotated[int, typer.Option(help="K > 1: score each trial on K inner folds of the training "
                                         "and validation splits (mean), not the validation split.")] = 1,
    progress: Progress = True,
) -> None:
    """Search a model's hyper-parameters on the validation split (Optuna); best.yaml for train --config."""
    training_process()
    tuning_process()  # genemoe logs one short line per trial
    from genemoe.workflows.tune import tune_run

    result = tune_run(data, out_dir=out, task=task, model_name=model, n_trials=trials,
                      preset=preset, config_path=config, seed=seed, storage=storage,
                      study_name=study, device=device, epochs=epochs, timeout=timeout,
                      progress=progress, cv=cv)
    say(result.describe())


@app.command(cls=CliCommand)
def predict(
    model: Annotated[Path, typer.Option(help="Run directory written by `genemoe train`.")],
    out: Annotated[Path, typer.Option(help="Output .csv, .tsv or .txt (tab-separated), or .parquet.")],
    expression: Annotated[Path | None, typer.Option(help="New samples (any supported format).")] = None,
    quant_dir: Annotated[Path | None, typer.Option(
        help="Or a folder of per-sample Salmon, kallisto, RSEM, STAR or HTSeq-count files.")] = None,
    quant_values: Annotated[str, typer.Option(help="With --quant-dir: counts | tpm.")] = "counts",
    strand: Annotated[str, typer.Option(help="With STAR files: auto | unstranded | forward | reverse.")] = "auto",
    tx2gene: Annotated[Path | None, typer.Option(help="With transcript files: transcript → gene table.")] = None,
    gdc_dir: Annotated[Path | None, typer.Option(help="Or a GDC portal download (STAR files).")] = None,
    sample_sheet: Annotated[Path | None, typer.Option(help="With --gdc-dir: its sample sheet.")] = None,
    annotation: Annotated[Path | None, typer.Option(help="Annotation to map symbols/Entrez.")] = None,
    max_missing: Annotated[float, typer.Option(help="Refuse above this share of missing genes (and, linear models, of weight).")] = 0.2,
    orientation: Annotated[str, typer.Option(help="auto | genes_by_samples | samples_by_genes")] = "auto",
    layer: Layer = None,
    precision: Precision = "fp32",
    normalisation: PredictNormalisation = "auto",
    device: Device = "auto",
    labels: PredictLabels = None,
    label_column: LabelColumn = None,
    sample_column: SampleColumn = None,
    clinical: PredictClinical = None,
    time_column: TimeColumn = None,
    event_column: EventColumn = None,
) -> None:
    """Score new samples: predicted type, class probabilities and/or risk."""
    from genemoe.workflows.predict import predict_file

    one_predict_input(expression=expression, quant_dir=quant_dir, gdc_dir=gdc_dir,
                      sample_sheet=sample_sheet)
    joined = joined_inputs(out.with_suffix(""), gdc_dir=gdc_dir, sample_sheet=sample_sheet,
                           gdc_values="counts", quant_dir=quant_dir, quant_values=quant_values,
                           strand=strand, tx2gene=tx2gene)
    for line in joined.lines:
        say(line)
    report = predict_file(model, expression or joined.expression[0], out_path=out, annotation_path=annotation,
                          max_missing=max_missing, orientation=orientation, precision=precision,
                          normalisation=normalisation, device=device, joined=joined.record,
                          labels_path=expand_paths(labels, "--labels") or None,
                          label_column=label_column, sample_column=sample_column,
                          clinical_path=expand_paths(clinical, "--clinical") or None,
                          time_column=time_column, event_column=event_column, layer=layer)
    say(report)


@app.command(cls=CliCommand)
def demo(
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("demo_out"),
    data: Annotated[Path | None, typer.Option(help="Use this bundle instead of the synthetic cohort.")] = None,
    seed: Seed = 0,
    epochs: Annotated[int, typer.Option(help="At most this many epochs per neural model.")] = 30,
    tune: Annotated[int, typer.Option(
        help="Optuna trials per model on the validation split (as many for every model; a classical "
             "model's trial 0 is its own grid search); 0 = presets / the classical models' own small grids.")] = 3,
    progress: Progress = True,
) -> None:
    """Gene-MOE and its peers on both tasks (synthetic cohort, or --data): one table, a verdict."""
    training_process()
    tuning_process()  # one genemoe line per model instead
    from genemoe.workflows.demo import run_demo

    quiet = [logging.getLogger(n) for n in ("genemoe.data.prepare", "genemoe.train.tuning",
                                            "genemoe.workflows.tune", "genemoe.workflows.tune.trials")]
    levels = [q.level for q in quiet]
    if logging.getLogger("genemoe").level > logging.DEBUG:  # prepare steps and tune's with -v
        for q in quiet:  # one line per trial kept: a 4-minute search was silent (a pipe too)
            q.setLevel(logging.INFO if q.name.endswith(".trials") else logging.WARNING)
    try:
        say(run_demo(out, data=data, seed=seed, epochs=epochs, progress=progress, tune=tune))
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)


@app.command(cls=CliCommand, help=EXPORT_HELP)
def export(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="AnnData file to write (.h5ad), for scanpy.")],
) -> None:
    """Write a bundle as AnnData (.h5ad); its help, var columns included: EXPORT_HELP."""
    from genemoe.data.anndata_io import export_line
    from genemoe.data.bundle import load_bundle
    from genemoe.data.read import write_h5ad

    bundle = load_bundle(data)
    say(export_line(bundle, shown_path(write_h5ad(bundle, out))))


@app.command("models", cls=CliCommand)
def models_cmd(task: Annotated[str | None, typer.Option(help="classify | survival: only its models.")] = None) -> None:
    """List the registered models."""
    from genemoe.models.registry import get_spec, list_models
    from genemoe.report.text import models_lines

    names = list_models(task=task, stored=True)  # a bad --task refused before the header
    rows = [(n, get_spec(n).kind, get_spec(n).tasks, get_spec(n).description) for n in names]
    for line in models_lines(rows):
        typer.echo(line)


@app.command(cls=CliCommand)
def pretrain(
    data: Annotated[list[Path], typer.Option(help="Bundle directory (repeat for several).")],
    out: Annotated[Path, typer.Option(help="Run directory to write (resumed if it has a checkpoint).")],
    preset: Preset = "small", config: ConfigYaml = None,
    seed: Seed = 0,
    device: Device = "auto",
    epochs: Annotated[int | None, typer.Option(help="Override the preset's pretrain epochs.",
                                               **EPOCHS_RANGE)] = None,
    model: Annotated[str | None, typer.Option(
        help="Encoder family: genemoe | moe | vaecox (default: the preset's pretrain.model).")] = None,
    stream: Annotated[bool | None, typer.Option(
        "--stream/--no-stream",
        help="Read the training samples from disk a batch at a time (memory stays flat however "
             "many there are) or load them all. Default: stream only when loading would take more "
             "than a set share of free memory (pretrain.stream, pretrain.stream_memory_fraction).")] = None,
    progress: Progress = True,
) -> None:
    """Self-supervised pre-training of an encoder/decoder (Gene-MOE: WGAN-GP + KL + L1)."""
    training_process()
    from genemoe.workflows.pretrain import pretrain_run

    result = pretrain_run(data, out_dir=out, preset=preset, config_path=config, seed=seed,
                          device=device, epochs=epochs, progress=progress, model=model,
                          stream=stream)
    say(f"{result.describe()}\n{next_step('pretrain', out, data[0])}")


@app.command(cls=CliCommand)
def explain(
    model: Annotated[Path, typer.Option(help="Run directory written by `genemoe train` (a neural or linear model).")],
    data: Annotated[Path, typer.Option(help="Bundle to take the samples from.")],
    out: Annotated[Path, typer.Option(help="Directory to write the rankings, attributions and figures.")],
    samples: Annotated[str | None, typer.Option(help="Comma-separated sample ids (default: --split).")] = None,
    split: Annotated[str, typer.Option(help="test | val | train | all (without --samples).")] = "test",
    baseline: Annotated[str, typer.Option(help="train_mean | zeros: the reference of ig, frozen_ig and "
                                          "deeplift (auto's train_ig starts from training tumours).")] = "train_mean",
    n_steps: Annotated[int, typer.Option(help="Integration steps per sample.")] = 50,
    internal_batch_size: Annotated[int, typer.Option(help="Rows per forward/backward pass.")] = 64,
    max_samples_per_class: Annotated[int, typer.Option(help="At most this many per predicted class (survival: in all), a draw seeded by --seed; not used with --samples.")] = 50,
    method: Annotated[str, typer.Option(
        help="auto (train_ig for models that read the gene vector, ig for image models, linear "
             "for coxnet/coxph/logreg/svm_linear) | ig | frozen_ig | train_ig | gradient_shap | "
             "deeplift | linear.")] = "auto",
    genes: Annotated[str, typer.Option(help="Rank all | expressed | protein_coding genes.")] = "all",
    n_draws: Annotated[int | None, typer.Option(
        help="GradientSHAP draws per sample / train_ig references, one draw for all (default 32 / 8).")] = None,
    max_steps: Annotated[int, typer.Option(
        help="IG: re-integrate samples missing completeness by > 1% with 4x the steps, up to this.")] = 400,
    seed: Annotated[int, typer.Option(help="Seed of the sample draw, GradientSHAP's draws and train_ig's references.", **SEED_RANGE)] = 0,
    compare: Annotated[bool, typer.Option(
        help="Compare every method on these samples instead (OUT/methods.csv).")] = False,
    other: Annotated[Path | None, typer.Option(
        help="With --compare: a second run (another seed or fold) for top-50 stability.")] = None,
    progress: Progress = True,
    device: Device = "auto",
) -> None:
    """Gene rankings per class and per sample (or for the risk) of a trained run."""
    only_with(compare, other, "--other", "--compare")
    kw = dict(data=data, out_dir=out, split=split, baseline=baseline, n_steps=n_steps, n_draws=n_draws,
              genes=genes, method=method, max_samples_per_class=max_samples_per_class, seed=seed,
              progress=progress, samples=None if samples is None else list(csv_option(samples)),
              max_steps=max_steps, internal_batch_size=internal_batch_size,  # --compare's too
              device=device)
    if compare:
        from genemoe.explain.compare import compare_methods, methods_text

        typer.echo(methods_text(compare_methods(model, other_run=other, **kw)))
        return
    from genemoe.explain import explain_run

    say(f"{explain_run(model, **kw).describe()}\n{next_step('explain', out)}")


@app.command(cls=CliCommand)
def benchmark(
    data: Bundle,
    out: Annotated[Path, typer.Option(help="Benchmark directory (re-run the command to resume).")],
    models: Annotated[str | None, typer.Option(
        help="Comma-separated registered models (see `genemoe models`); default: classify "
             "svm,svm_linear,logreg,rf,mlp,fcn,moe,genemoe; survival "
             "coxnet,coxph,coxnnet,vaecox,fcn,genemoe.")] = None,
    task: Annotated[str, typer.Option(help="classify | survival")] = "classify",
    folds: Folds = 3, repeats: Repeats = 1,
    preset: Preset = "small",
    seed: FoldSeed = 0,
    epochs: Epochs = None,
    device: Device = "auto",
    tune: Annotated[int, typer.Option(
        help="Optuna trials per model inside each fold, on that fold's validation part (as many "
             "for every model; a classical model's trial 0 is its own grid search); 0 = presets / "
             "the classical models' own small grids.")] = 0,
    ensemble: Annotated[int, typer.Option(
        help="K > 1: every model as an ensemble of K members (the same K for all).")] = 1,
    ensemble_members: EnsembleMembers = "auto",
    tune_cv: Annotated[int, typer.Option(
        help="K > 1: with --tune, score each trial on K inner folds of the fold's training "
             "part (mean validation metric) instead of its one validation part.")] = 1,
    plots: Annotated[bool, typer.Option(help="Also draw the PNG figures into OUT/plots.")] = True,
    progress: Progress = True,
) -> None:
    """Every model on identical, repeated, stratified folds: results.csv and summary.md."""
    training_process()
    if tune:
        tuning_process()  # one genemoe line per trial, not Optuna's
    from genemoe.workflows.benchmark import run_benchmark

    result = run_benchmark(data, task=task, models=None if models is None else list(csv_option(models) or ()),
                           n_folds=folds, n_repeats=repeats, preset=preset, seed=seed, out_dir=out,
                           epochs=epochs, device=device, progress=progress, tune=tune,
                           ensemble=ensemble, tune_cv=tune_cv, plots=plots,
                           ensemble_members=ensemble_members)
    say(result.describe())
    if plots:
        from genemoe.report.plots import benchmark_figures

        say(f"  {len(benchmark_figures(out))} figures in {out / 'plots'}")
    elif any((out / "plots").glob("*.png")):  # drawn by an earlier run into this --out
        say(f"  note: {out / 'plots'} holds an earlier run's figures; the report redraws them")
    say(next_step("benchmark", out))


@app.command(cls=CliCommand)
def report(
    directory: Annotated[Path, typer.Argument(
        help="A run (`genemoe train`), benchmark, explanation, tuning (`genemoe tune`), "
             "pre-training (`genemoe pretrain`), feature-analysis (`genemoe features`) or "
             "finished ablation (`genemoe ablation`) directory.")],
    out: Annotated[Path | None, typer.Option(help="HTML file to write (default DIR/report.html).")] = None,
) -> None:
    """One self-contained HTML report (figures embedded) of a run, benchmark, explanation, tuning, pre-training, feature-analysis or ablation directory."""
    from genemoe.report.html import write_report

    say(f"wrote {shown_path(write_report(directory, out_path=out))}")


@app.command(cls=CliCommand)
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
        help="With --pretrain-per-fold: override the preset's pretrain epochs.", **EPOCHS_RANGE)] = None,
    freeze_encoder_epochs: Annotated[int, typer.Option(
        help="With --pretrained or --pretrain-per-fold: keep the encoder frozen for this many "
             "epochs.")] = 0,
    seed: FoldSeed = 0,
    epochs: Epochs = None,
    device: Device = "auto",
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples of each survival C-index CI.")] = 200,
    progress: Progress = True,
) -> None:
    """The paper's ablation (fcn, moe, genemoe, pre-trained genemoe) on identical folds."""
    training_process()
    from genemoe.workflows.ablation import run_ablation

    result = run_ablation(data, task=task, out_dir=out, n_repeats=repeats, n_folds=folds,
                          preset=preset, seed=seed, pretrained=pretrained,
                          freeze_encoder_epochs=freeze_encoder_epochs, epochs=epochs,
                          device=device, n_boot=n_boot, progress=progress,
                          pretrain_per_fold=pretrain_per_fold, pretrain_epochs=pretrain_epochs)
    say(result.describe())


@app.command(cls=CliCommand)
def features(
    model: Annotated[Path, typer.Option(help="A `genemoe pretrain` run (or a `genemoe train` run).")],
    data: Annotated[Path, typer.Option(help="Bundle holding the held-out samples.")],
    out: Annotated[Path, typer.Option(help="Directory to write the tables, figures and summary.json.")],
    split: Annotated[str, typer.Option(help="test | val | train | all (refused if the run used them) | unseen (every sample the run never read).")] = "test",
    n_features: Annotated[int, typer.Option(help="Leading latent features (highest variance).")] = 20,
    threshold: Annotated[float, typer.Option(help="Strong genes: mean |r| above this.")] = 0.4,
    embedding: Annotated[str | None, typer.Option(help="tsne | umap | both (UMAP needs umap-learn).  [default: tsne]", show_default=False)] = None,
    max_samples: Annotated[int, typer.Option(help="At most this many samples (seeded draw).")] = 1000,
    k: Annotated[int | None, typer.Option(help="Neighbours of the k-NN mixing score.  [default: 15]", show_default=False)] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample draw and the embeddings.",
                                      **SEED_RANGE)] = 0,
    device: Device = "auto",
    max_missing: Annotated[float, typer.Option(help="Refuse above this share of the run's genes missing from the bundle (filled with the training mean).")] = 0.2,
) -> None:
    """Latent-feature analysis (paper Fig. 8): feature-gene correlation, real vs reconstructed."""
    from genemoe.report.feature_plots import feature_figures
    from genemoe.workflows.features import analyse_features

    result = analyse_features(model, data=data, out_dir=out, split=split, n_features=n_features,
                              threshold=threshold, embedding=embedding, k=k,
                              max_samples=max_samples, seed=seed, device=device,
                              max_missing=max_missing)
    result.summary["figures"] = [str(p) for p in feature_figures(out)]
    say(result.describe())


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Every module's messages, and the counters of each step.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Warnings and errors only.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=show_version,
        is_eager=True)] = False,
) -> None:
    setup_logging(verbose=verbose, quiet=quiet)


def main() -> None:
    """Console entry point: user errors print cleanly (status 2; 3 = not built yet).

    Usage errors (unknown option, missing value) are typer's own: usage text, status 2; a
    word without its flag also gets a fix (:class:`~genemoe.cli_args.CliGroup`).
    """
    defer_interrupts_in_imports()
    try:
        app()
    except Interrupted as exc:
        code = exc.status
        typer.echo(error_text("genemoe:", "yellow", str(exc), wrap=True), err=True)  # <= 100
    except NotBuiltError as exc:
        code = 3
        typer.echo(error_text("genemoe: not built yet:", "yellow", str(exc)), err=True)
    except GenemoeError as exc:
        code = 2
        typer.echo(error_text("genemoe: error:", "red", str(exc)), err=True)
    else:
        return
    # outside the handler: the failed command's frames (a pyarrow CSV reader mid-read) are
    # freed here, not at interpreter teardown, where 1 run in 5 ended "terminate called
    # without an active exception" and "Aborted" (status 134) after the error line
    gc.collect()
    sys.exit(code)


if __name__ == "__main__":
    main()
