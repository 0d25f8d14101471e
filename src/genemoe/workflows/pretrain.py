"""``genemoe pretrain``: pre-train an encoder on one or more bundles, write a run directory.

The run directory and the objective are :mod:`genemoe.train.pretrain`'s; this workflow
reads the bundles (their training splits trained on, validation splits monitored, test
splits never read) and hands the arrays to it — or, streaming (``pretrain.stream``), the
training rows' whereabouts, read batch by batch during training.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence
from pathlib import Path

from genemoe.data.args import as_list, folder_of, path_of
from genemoe.errors import input_error
from genemoe.train.loop import torch_threads
from genemoe.train.pretrain import (
    PretrainResult,
    check_call_options,
    pretrain_prepared,
    resolve_pretrain_config,
)
from genemoe.train.pretrain_config import PRETRAIN_MODELS, config_extends
from genemoe.train.pretrain_data import load_pretrain_data
from genemoe.train.recipe_check import check_run_arguments
from genemoe.train.rng import keeps_global_rng
from genemoe.workflows.cell_claims import holding_out_dir
from genemoe.workflows.common import check_out_dir

__all__ = ["pretrain_run"]


@keeps_global_rng  # the caller's random states back, a first import's draws too
@holding_out_dir("pretrain")  # two into one --out: the second is refused
def pretrain_run(bundle_paths: Sequence[Path | str] | Path | str, *, out_dir: Path | str,
                 preset: str = "small", config_path: Path | str | None = None, seed: int = 0,
                 device: str = "auto", epochs: int | None = None, progress: bool = True,
                 max_epochs_this_call: int | None = None,
                 model: str | None = None, stream: bool | None = None) -> PretrainResult:
    """Pre-train the Gene-MOE encoder/decoder on bundles and write a run directory.

    Parameters
    ----------
    bundle_paths
        One or more bundle directories (``genemoe prepare``); several are aligned on the
        genes they share. Only their training splits are trained on, their validation
        splits monitored, their test splits never read.
    out_dir
        Run directory (see the module docstring). An existing ``checkpoint.pt`` there is
        resumed; a finished run of the same setup is returned as it is.
    preset, config_path
        Preset (``small``, ``base``, ``paper`` or a YAML) and an optional YAML over it:
        the ``pretrain:`` section (:class:`PretrainConfig`) and ``model.<genemoe|moe|vaecox>``.
    seed, device, epochs, progress
        Reproducibility, ``auto|cpu|cuda``, override of ``pretrain.epochs``, progress bar.
    max_epochs_this_call
        Pause after this many epochs (``finished=False``); call again to resume.
    model
        Override of ``pretrain.model``: ``genemoe``, ``moe`` or ``vaecox`` (VAE-Cox's VAE).
    stream
        Override of ``pretrain.stream``: True reads the training rows from the bundles'
        ``X.npy`` batch by batch, read ahead of the training step, so memory stays flat
        in the number of samples (:mod:`genemoe.train.pretrain_stream`); False loads them;
        None: the config's (``auto``: stream when the training matrix would take more than
        ``pretrain.stream_memory_fraction`` of the available memory). The same batches in
        the same order either way.

    Returns
    -------
    PretrainResult
    """
    t0 = time.perf_counter()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # each worker would train its own copy
        raise input_error("genemoe pretrain runs in one process; it was started as one of "
                          f"{os.environ['WORLD_SIZE']} torchrun workers, each of which would "
                          "pre-train its own copy into the same run directory",
                          where="torchrun", fix="run `genemoe pretrain` without torchrun "
                          "(one GPU or the CPU); data-parallel training is `genemoe train`'s")
    if model is not None and model not in PRETRAIN_MODELS:  # was said as the YAML's value
        raise input_error(f"{model!r} has no encoder to pre-train", where="--model",
                          fix=f"pass --model {' | '.join(PRETRAIN_MODELS)}, or drop --model (the "
                              "preset's pretrain.model)")
    check_call_options(max_epochs_this_call, progress)  # before the bundles are read
    check_run_arguments(seed, epochs)  # seed="1" was numpy's TypeError "SeedSequence expects int"
    out_dir = path_of(out_dir, "out_dir")
    paths = [folder_of(p, "bundle_paths") for p in as_list(bundle_paths)]  # one, several, or Bundle objects
    config, model_cfg = resolve_pretrain_config(preset, config_path, seed=seed, device=device,
                                                epochs=epochs, progress=progress, model=model)
    if stream is not None:
        config = dataclasses.replace(config, stream=stream)
    check_out_dir(Path(out_dir), "pretrain")
    with torch_threads(config.num_threads):  # the caller's count restored after
        data = load_pretrain_data(paths, min_shared_genes=config.min_shared_genes,
                                  stream=config.stream, memory_fraction=config.stream_memory_fraction,
                                  val_rows=config.stream_val_rows)
        return pretrain_prepared(data, config, model_cfg, out_dir=Path(out_dir), preset=preset,
                                 max_epochs_this_call=max_epochs_this_call, t0=t0,
                                 extends=config_extends(config_path))  # recorded (was "small")

