"""What ``genemoe train`` records of an image model's input and start: the grid, the image
the network sees, the input scaling, and the weights it started from (:func:`image_record`,
:func:`ran_on`), with a weights file's path made absolute first (:func:`with_resolved_weights`)
so that the run's config.yaml and metrics.json name one file, found from any folder.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from genemoe.data.args import shown_path
from genemoe.data.bundle import file_sha256
from genemoe.evaluate.benchmark_pixels import padding_rule
from genemoe.text_wrap import warning_text, wrapped

__all__ = ["CROWDED_PIXEL", "image_facts", "image_record", "layout_fitted_on", "padding_advice",
           "pixel_use", "ran_on", "weights_init", "with_resolved_weights", "weights_file_record",
           "NAMED_WEIGHTS"]

log = logging.getLogger(__name__)
CROWDED_PIXEL = 8  # genes sharing one pixel of the image the network sees, from which it warns
NAMED_WEIGHTS = ("none", "imagenet")  # a backbone's `weights:` values that are not a file


def with_resolved_weights(model_cfg: dict[str, Any]) -> dict[str, Any]:
    """``model_cfg`` with a weights file (``weights: w.pt``) as an absolute path.

    The backbone reads the file relative to the working folder; config.yaml kept the path
    as given (``w.pt``) while metrics.json named the absolute one, so ``genemoe train
    --config RUN/config.yaml`` from another folder did not find the file the run used.
    ``none``, ``imagenet`` and a config without weights are returned unchanged.
    """
    weights = model_cfg.get("weights")
    if not isinstance(weights, str) or weights in NAMED_WEIGHTS:
        return model_cfg
    return {**model_cfg, "weights": str(Path(weights).expanduser().resolve())}


def ran_on(kind: str, device: str, weights: Any) -> dict[str, Any]:
    """The device a run trained on (config.yaml holds ``auto``) and the path and sha256 of
    a backbone weights file (a path alone, as given, said nothing of which file it was)."""
    from genemoe.train.distributed import resolve_device

    out: dict[str, Any] = {"device": str(resolve_device(device)) if kind == "torch"
                           else "cpu (scikit-learn)"}
    if (found := weights_file_record(weights)) is not None:
        out["weights_file"] = found
    return out


def weights_file_record(weights: Any) -> dict[str, str] | None:
    """``{"path", "sha256"}`` of a backbone's weights file (its path resolved against the
    working folder, as the backbone reads it); None for ``none``, ``imagenet``, no weights
    or a file not there."""
    if not isinstance(weights, str) or weights in NAMED_WEIGHTS:
        return None
    path = Path(weights).expanduser()
    if not path.is_file():
        return None
    return {"path": str(path.resolve()), "sha256": _weights_sha256(path)}


_SHA256: dict[tuple, str] = {}  # (path, size, mtime, inode) → sha256: a benchmark hashed a
#   550 MB VGG-19 file several times a call (fingerprint, study key, protocol, every cell)


def _weights_sha256(path: Path) -> str:
    """The file's sha256, computed once per (resolved path, size, mtime, inode): an
    overwritten file has another key, so its new contents are hashed."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _SHA256:
        _SHA256[key] = file_sha256(path)
    return _SHA256[key]


def weights_init(weights: str | None, weights_file: dict[str, str] | None = None,
                 imagenet: dict[str, str] | None = None) -> str:
    """What an image model's network started from, in words, for the run's record.

    ``weights``: the backbone's ``weights:`` (``none``, ``imagenet`` or a file), None for a
    model that takes none (``hybrid_cnn``: it is always trained from a random start);
    ``weights_file``: :func:`ran_on`'s record of the file (its sha256), where one was read;
    ``imagenet``: :func:`imagenet_source`'s record of timm's weights (their tag, sha256).
    A run from a weights file or ImageNet's recorded no ``init`` (only ``none`` did) and
    hybrid_cnn's record said ``weights: null``.
    """
    from genemoe.report.text import fmt_bytes

    if weights is None:
        return "random (hybrid_cnn takes no pretrained weights: trained from scratch)"
    if weights == "none":
        return "random (no ImageNet transfer)"
    if weights == "imagenet":
        said = [f"timm's {imagenet['imagenet_tag']}" if imagenet and imagenet.get("imagenet_tag")
                else "timm's pretrained weights for this backbone"]
        if imagenet and imagenet.get("imagenet_sha256"):
            said.append(f"sha256 {imagenet['imagenet_sha256'][:12]}…")
        return f"ImageNet weights ({', '.join(said)})"
    path = Path(weights)
    size = fmt_bytes(path.stat().st_size) if path.is_file() else "size unknown"
    sha = f", sha256 {weights_file['sha256'][:12]}…" if weights_file else ""
    return f"pretrained weights from {weights} ({size}{sha})"


def imagenet_source(pretrained_cfg: dict[str, Any] | None) -> dict[str, str]:
    """Which ImageNet weights timm gave a backbone (its ``pretrained_cfg``), as the image
    record's flat keys: ``imagenet_tag`` (``resnet50.a1_in1k``), where timm fetches them
    (``imagenet_hf_hub_id``, else ``imagenet_url``) and, where the local file read is found
    (the offline cache file, the Hugging Face or torch.hub cache), ``imagenet_file`` and
    ``imagenet_sha256``. A run recorded only "ImageNet weights": a planted or changed cache
    file trained unseen. ``{}`` without a config."""
    cfg = dict(pretrained_cfg or {})
    arch, tag = cfg.get("architecture"), cfg.get("tag")
    out: dict[str, str] = {}
    if arch:
        out["imagenet_tag"] = f"{arch}.{tag}" if tag else str(arch)
    if cfg.get("hf_hub_id"):
        out["imagenet_hf_hub_id"] = str(cfg["hf_hub_id"])
    elif cfg.get("url"):
        out["imagenet_url"] = str(cfg["url"])
    if (path := _weights_cache_file(cfg)) is not None:
        out |= {"imagenet_file": str(path.resolve()), "imagenet_sha256": _weights_sha256(path)}
    return out


def _weights_cache_file(cfg: dict[str, Any]) -> Path | None:
    """The local file timm read a backbone's ImageNet weights from, as timm picks it: the
    config's ``file`` (genemoe's offline cache overlay), the Hugging Face cache of its
    ``hf_hub_id``, else torch.hub's checkpoint of its ``url``; None where none is there."""
    from urllib.parse import urlparse

    if cfg.get("file"):
        path = Path(str(cfg["file"])).expanduser()
        return path if path.is_file() else None
    if hub := cfg.get("hf_hub_id"):
        from huggingface_hub import try_to_load_from_cache

        names = [cfg["hf_hub_filename"]] if cfg.get("hf_hub_filename") else []
        for name in (*names, "model.safetensors", "pytorch_model.bin"):
            found = try_to_load_from_cache(str(hub).split("@")[0], name)
            if isinstance(found, str) and Path(found).is_file():
                return Path(found)
    if url := cfg.get("url"):
        import torch.hub

        path = Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(str(url)).path).name
        return path if path.is_file() else None
    return None


def pixel_use(layout: Any, image_size: int) -> dict[str, int]:
    """How the genes fill the pixels the network sees: the genes sharing a pixel with
    another, the pixels holding a gene and the empty ones (those of the grid, or of the
    ``image_size`` image where the grid is binned onto it, as
    :meth:`~genemoe.models.image.Layout.seen_pixel_of_gene` bins it).

    Only the most in one pixel was recorded: pancan33's 100 genes on a similarity layout's
    10 x 10 grid (``genemoe train --model hybrid_cnn --layout similarity --image-size 10``)
    filled 51 pixels, 76 genes sharing one, said "up to 4 a pixel".
    """
    binned = image_size < max(layout.height, layout.width)
    n_pixels = image_size * image_size if binned else layout.n_pixels
    counts = np.bincount(layout.seen_pixel_of_gene(image_size), minlength=n_pixels)
    return {"genes_sharing_a_pixel": int(counts[counts > 1].sum()),
            "pixels_used": int((counts > 0).sum()), "pixels_empty": int((counts == 0).sum())}


def image_facts(model: Any, scaling: str, weights_source: str | None = None,
                weights_file: dict[str, str] | None = None) -> dict[str, Any]:
    """What :func:`image_record` records of an image model, without a word said (a
    benchmark keeps it in each cell; its terminal said it once per cell); ``{}`` for
    another model. A pretrained backbone's ``pixel_mapping``: how the scaled values became
    pixels (:data:`~genemoe.models.backbones.PIXEL_WINDOW`)."""
    net = getattr(model, "members", [model])[0]  # an ensemble's members share one layout
    to_image = getattr(net, "to_image", None)
    if to_image is None or not hasattr(to_image, "layout"):
        return {}
    lay = to_image.layout()
    side = int(getattr(net, "image_size", lay.height))
    takes_weights = getattr(net, "finetune", None) is not None  # an ImageNet backbone
    if weights_source is None and takes_weights:  # a backbone's default,
        weights_source = "none"  # said and recorded (the record held null, the page "None")
    imagenet = (imagenet_source(getattr(getattr(net, "backbone", None), "pretrained_cfg", None))
                if takes_weights and weights_source == "imagenet" else None)
    image = {"grid": f"{lay.height} x {lay.width}", "image_size": f"{side} x {side}",
             "genes_per_pixel_max": lay.most_genes_seen(side), **pixel_use(lay, side),
             "input_scaling": scaling,
             "layout": lay.kind, **({"embedding": lay.embedding} if lay.embedding else {}),
             **(lay.placement or {}),  # genomic: genes without a position (terminal-only)
             **({"weights": weights_source} if takes_weights else {}),
             "init": weights_init(weights_source if takes_weights else None, weights_file,
                                  imagenet),
             **(imagenet or {}),  # which ImageNet weights: tag, cache file, sha256
             **({"finetune": net.finetune} if takes_weights else {}),
             **({"pixel_mapping": net.pixel_mapping} if hasattr(net, "pixel_mapping") else {})}
    if image["genes_per_pixel_max"] >= CROWDED_PIXEL:  # --image-size 1 trained unsaid
        image["crowded_pixels"] = lay.one_gene_a_pixel(side)  # the advice, kept (terminal-only)
    if (padding := padding_advice(lay, image, side, backbone=takes_weights)) is not None:
        image["padded_pixels"] = padding  # a benchmark says it once (its cells were silent)
    return {"image": image}


def layout_fitted_on(layout: str | None, image: dict[str, Any] | None) -> str:
    """``config.yaml``'s ``layout_fitted_on`` for a layout fitted by the run: ``genomic``
    names the gene positions and counts the genes placed without one (``image``: the run's
    image record, :func:`image_facts`; config.yaml said "gene positions (annotation)" of a
    layout that put 18 of 398 genes after chromosome MT); another, the training split."""
    if layout != "genomic":
        return "training split"
    image = image or {}
    placed, without = image.get("genes_by_position", 0), image.get("genes_without_position")
    if not without:  # every gene by position (or not known): as it was said
        return "gene positions (annotation)"
    return (f"gene positions (annotation): {placed:,} genes placed by position, {without:,} "
            f"without one ({image.get('without_position_placed', 'placed last')})")


def image_record(model: Any, scaling: str, weights_source: str | None = None,
                 weights_file: dict[str, str] | None = None) -> dict[str, Any]:
    """Image models: the grid, the image the network sees, the most genes sharing a pixel,
    the input scaling and the weights the network started from (``init``), said and recorded
    (explain said the sharing, after training); ``{}`` for another model.

    ``weights_source``: the config's ``weights`` (None: the backbone's default, ``none``);
    ``weights_file``: :func:`ran_on`'s record of a weights file; ImageNet weights are
    recorded by :func:`imagenet_source` (timm's tag, the cache file and its sha256). A model without weights
    (``hybrid_cnn``) records no ``weights`` (it said ``null``), only its random ``init``.
    """
    facts = image_facts(model, scaling, weights_source, weights_file)
    if not facts:
        return {}
    image, net = facts["image"], getattr(model, "members", [model])[0]
    lay = net.to_image.layout()
    side = int(getattr(net, "image_size", lay.height))
    takes_weights = "weights" in image
    weights_source = image.get("weights")
    grid_most = int(lay.counts.max())
    shown = {**image, **({"weights": _shown_weights(weights_source)} if takes_weights else {})}
    if image.get("imagenet_tag"):  # which ImageNet weights (the cache line was -v only)
        shown["weights"] = f"imagenet ({image['imagenet_tag']})"
    kind = lay.kind + (f" by {lay.embedding}" if lay.embedding else "")
    seen = ([f"up to {image['genes_per_pixel_max']} genes a pixel as seen"]
            if image["genes_per_pixel_max"] != grid_most else [])
    weights = ("".join(f"; {k} {shown[k]}" for k in ("weights", "finetune") if shown.get(k))
               + (" (random init: no ImageNet transfer)" if weights_source == "none" else "")
               + ("" if takes_weights else "; random init (no pretrained weights)"))
    log.info("%s", wrapped(  # two lines (was ~190), a long one wrapped (117 with "as seen")
        f"image: {lay.n_genes:,} genes on a {image['grid']} grid (up to {grid_most} a pixel; "
        f"layout {kind}), seen at {image['image_size']}\n  "
        + "; ".join([*seen, f"input scaling {scaling}"]) + weights, first_whole=False))
    if image["genes_sharing_a_pixel"]:  # 76 of 100 genes merged, said "up to 4 a pixel"
        used = image["pixels_used"]  # "1 pixels used" at --image-size 1
        log.info("%s genes on the %s: %s pixel%s used, %s empty\n  %s genes share a pixel "
                 "(up to %d)", f"{lay.n_genes:,}", lay.seen_as(side), f"{used:,}",
                 "" if used == 1 else "s", f"{image['pixels_empty']:,}",
                 f"{image['genes_sharing_a_pixel']:,}", image["genes_per_pixel_max"])
    if "padded_pixels" in image:
        log.warning("%s", warning_text(image["padded_pixels"]))
    if "crowded_pixels" in image:
        log.warning("the network sees the %s genes at %s: up to %d share one pixel\n  (their "
                    "values averaged, their attributions split by each gene's own deviation)\n"
                    "  %s", f"{lay.n_genes:,}", image["image_size"], image["genes_per_pixel_max"],
                    image["crowded_pixels"].replace("; ", "\n  "))  # its clauses a line each
    return facts


def padding_advice(layout: Any, image: dict[str, Any], image_size: int | None, *,
                   backbone: bool) -> str | None:
    """A warning where most pixels the network sees hold no gene in an ordered layout
    (``reshape``, ``genomic``), whose smallest square holds every gene: the rest is padding
    (scaled value 0), which a smaller grid drops (``hybrid_cnn --image-size 64`` on 100
    genes: 3,996 of 4,096 pixels empty, recorded as ``pixels_empty`` but not said). None
    otherwise; a ``similarity`` layout's gaps are its genes' spread, not padding.

    Parameters
    ----------
    layout
        The model's :class:`~genemoe.models.image.Layout`.
    image
        Its image record (:func:`image_facts`): ``pixels_used``, ``pixels_empty``.
    image_size
        Side of the image the network sees (None: the grid as it is).
    backbone
        An ImageNet backbone (its grid is ``grid_size``), else ``hybrid_cnn`` (its grid is
        ``--image-size``).
    """
    if layout.kind == "similarity":
        return None
    return padding_rule(int(image["pixels_used"]), int(image["pixels_empty"]), layout.n_genes,
                        layout.seen_as(image_size), backbone=backbone)


def _shown_weights(weights: str | None) -> str | None:
    """A weights file as a person reads it (relative to the working folder when inside it)."""
    return shown_path(weights) if weights and weights not in NAMED_WEIGHTS else weights
