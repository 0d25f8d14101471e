"""An image model's padding, said by ``genemoe explain``: where most pixels the network sees
hold no gene (``hybrid_cnn --image-size 64`` on 1,471 genes: 2,625 of 4,096 pixels empty),
train warns and a benchmark says it per model, but explain was silent while its maps showed
the padding (mustard). The numbers and the fix are the run's own (``metrics.json``'s image
record, as train said them), in the benchmark's words
(:func:`~genemoe.evaluate.benchmark_pixels.padding_words`)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from genemoe.evaluate.benchmark_pixels import padding_words
from genemoe.text_wrap import warning_text

__all__ = ["note_padding", "padding_warning"]

log = logging.getLogger(__name__)


def run_image(run_dir: Path | str) -> dict[str, Any]:
    """The run's image record (``metrics.json``'s ``protocol.image``); ``{}`` for a run
    without one (a model without an image, or a folder without metrics.json)."""
    path = Path(run_dir) / "metrics.json"
    try:
        image = (json.loads(path.read_text()).get("protocol") or {}).get("image")
    except (OSError, ValueError, AttributeError):
        return {}
    return image if isinstance(image, dict) else {}


def padding_warning(image: dict[str, Any]) -> str | None:
    """``the image the network sees was 64% padding (2,625 of 4,096 pixels hold no gene), as
    `genemoe train` warned; the maps draw those pixels mustard ...; --image-size 39 or
    leaving --image-size out gives ...`` from an image record train warned of padding in
    (``padded_pixels``: its advice); None else."""
    advice = str(image.get("padded_pixels") or "")
    if not advice:
        return None
    empty, used = int(image.get("pixels_empty") or 0), int(image.get("pixels_used") or 0)
    fix = advice.partition("; ")[2]  # train's fix clause (after its count of the pixels)
    return (f"the image the network sees was {padding_words(empty, empty + used)}, as "
            "`genemoe train` warned; the maps draw those pixels mustard, scaled value 0 and "
            "no attribution" + (f"; {fix}" if fix else ""))


def note_padding(conv: dict[str, Any], run_dir: Path | str) -> None:
    """Records the run's padding in ``conv`` (``padded_pixels``: the empty and all pixels;
    ``padding_warning``: the words, which the explanation page shows with the other
    warnings) and warns on the terminal; nothing for an image without padding."""
    image = run_image(run_dir)
    if (text := padding_warning(image)) is None:
        return
    empty, used = int(image.get("pixels_empty") or 0), int(image.get("pixels_used") or 0)
    conv["padded_pixels"] = {"pixels_empty": empty, "pixels": empty + used}
    conv["padding_warning"] = text
    log.warning("%s", warning_text(text))
