"""ImageNet backbones on gene images (timm) and the torchvision CPU shim."""

from __future__ import annotations

import importlib.util
import sys
import types

import numpy as np
import pytest
import torch

from genemoe.errors import InputError
from genemoe.models import tv_compat
from genemoe.models.registry import create_model

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm, torchvision)")
N_GENES, N_CLASSES = 40, 3
TINY = dict(image_size=32, weights="none")
# VGG-19, DenseNet-169 and Xception take 4-9 s per contract check at 32 x 32 on CPU.
SLOW = {"densenet169", "vgg19", "xception"}



# ------------------------------------------------------------------ torchvision shim


@pytest.fixture
def fresh_shim(monkeypatch):
    """The shim with no cached state and no recorded schema definitions."""
    monkeypatch.setattr(tv_compat, "_state", None)
    defined: list[str] = []
    monkeypatch.setattr(tv_compat, "_define", defined.append)
    return defined


def test_shim_reports_absent_without_importing(fresh_shim, monkeypatch) -> None:
    monkeypatch.delitem(sys.modules, "torchvision", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert tv_compat.ensure_torchvision_importable() == "absent"
    assert fresh_shim == []


def test_shim_leaves_a_healthy_torchvision_alone(fresh_shim, monkeypatch) -> None:
    healthy = types.ModuleType("torchvision")
    monkeypatch.delitem(sys.modules, "torchvision", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(importlib, "import_module", lambda name: healthy)
    assert tv_compat.ensure_torchvision_importable() == "healthy"
    assert fresh_shim == []  # nothing registered
    assert tv_compat.ensure_torchvision_importable() == "healthy"  # cached


def test_shim_defines_only_what_the_import_reports_missing(fresh_shim, monkeypatch) -> None:
    errors = [RuntimeError("operator torchvision::nms does not exist"),
              RuntimeError("operator torchvision::qnms does not exist")]

    def flaky_import(name):
        if errors:
            raise errors.pop(0)
        return types.ModuleType(name)

    monkeypatch.delitem(sys.modules, "torchvision", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(importlib, "import_module", flaky_import)
    monkeypatch.setattr(tv_compat, "_has_op", lambda name: False)
    assert tv_compat.ensure_torchvision_importable() == "patched"
    assert fresh_shim == ["nms", "qnms"]


def test_shim_passes_other_import_errors_through(fresh_shim, monkeypatch) -> None:
    def broken(name):
        raise RuntimeError("something else entirely")

    monkeypatch.delitem(sys.modules, "torchvision", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(RuntimeError, match="something else"):
        tv_compat.ensure_torchvision_importable()
    assert fresh_shim == []


@needs_timm
def test_shim_makes_timm_importable_here() -> None:
    state = tv_compat.ensure_torchvision_importable()
    assert state in ("healthy", "patched")
    import timm  # noqa: F401  (fails with "torchvision::nms does not exist" without the shim)

    assert hasattr(torch.ops.torchvision, "nms")
    assert tv_compat.ensure_torchvision_importable() == state  # idempotent


# ------------------------------------------------------------------ backbones


def _model(name: str = "resnet50", task: str = "classify", **cfg):
    n_out = N_CLASSES if task == "classify" else 1
    return create_model(name, n_genes=N_GENES, n_outputs=n_out, task=task, **(TINY | cfg))


def _train_one_step(model) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, N_GENES, generator=g)
    y = torch.randint(0, N_CLASSES, (8,), generator=g)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    model.train()
    loss = torch.nn.functional.cross_entropy(model(x).out, y)
    loss.backward()
    for name, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None and torch.isfinite(p.grad).all(), name
            assert p.grad.abs().sum() > 0, name
        else:
            assert p.grad is None, name
    opt.step()
    return loss.detach()


@needs_timm
@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
    for n in ("resnet50", "densenet169", "vgg19", "xception")])
def test_backbone_trains_one_step_on_the_gene_vector(name: str) -> None:
    torch.manual_seed(0)
    model = _model(name)
    assert model.images(torch.randn(2, N_GENES)).shape == (2, 3, 32, 32)
    assert torch.isfinite(_train_one_step(model))
    model.eval()
    with torch.no_grad():
        feats = model.forward_features(torch.randn(4, N_GENES))
    assert feats.shape == (4, model.n_features)
    # frozen BatchNorm keeps its statistics in train mode; trained BatchNorm does not
    model.train()
    bns = [m for m in model.backbone.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert {m.training for m in bns} <= {True, False}
    assert all(m.training == m.weight.requires_grad for m in bns)


@needs_timm
def test_survival_head_has_one_output() -> None:
    model = _model(task="survival")
    assert model(torch.randn(3, N_GENES)).out.shape == (3, 1)


@needs_timm
def test_finetune_policies_freeze_the_right_parameters() -> None:
    model = _model(finetune="last_block")

    def trainable() -> set[str]:
        return {n for n, p in model.named_parameters() if p.requires_grad}

    assert model.finetune == "last_block"  # as in the paper
    last = trainable()
    assert last and all(n.startswith(("backbone.layer4.", "head.")) for n in last)
    assert any(n.startswith("backbone.layer4.") for n in last)
    model.set_finetune("head")
    assert trainable() == {n for n, _ in model.named_parameters() if n.startswith("head.")}
    model.set_finetune("all")
    everything = trainable()
    assert everything == {n for n, _ in model.named_parameters()}
    n_params = {pol: 0 for pol in ("head", "last_block", "all")}
    for pol in n_params:
        model.set_finetune(pol)
        n_params[pol] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert n_params["head"] < n_params["last_block"] < n_params["all"]
    with pytest.raises(InputError, match="finetune"):
        model.set_finetune("middle")


@needs_timm
@pytest.mark.parametrize("name,block", [("densenet169", "features.denseblock4."),
                                        ("vgg19", "features.34."), ("xception", "block12.")])
def test_last_block_names_exist_in_timm(name: str, block: str) -> None:
    from genemoe.models.backbones import BACKBONES, _in_block, import_timm

    timm = import_timm()
    spec = BACKBONES[name]
    with torch.device("meta"):  # names only: no memory, no init time
        net = timm.create_model(spec.timm_name, num_classes=0)
    names = [n for n, _ in net.named_parameters()]
    for prefix in spec.last_block:
        assert any(_in_block(n, (prefix,)) for n in names), f"{name}: no module {prefix}"
    assert any(n.startswith(block) for n in names)
    assert not all(_in_block(n, spec.last_block) for n in names)  # something stays frozen


@needs_timm
def test_local_weights_file_round_trip(tmp_path) -> None:
    torch.manual_seed(1)
    source = _model()
    path = tmp_path / "resnet50.pt"
    torch.save(source.backbone.state_dict(), path)
    torch.manual_seed(2)  # a different random init, overwritten by the file
    loaded = _model(weights=str(path))
    want, got = source.backbone.state_dict(), loaded.backbone.state_dict()
    assert set(want) == set(got)
    for key in want:
        assert torch.equal(want[key], got[key]), key


@needs_timm
def test_bad_weights_files_are_input_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        _model(weights=str(tmp_path / "missing.pt"))
    wrong = tmp_path / "wrong.pt"
    torch.save({"conv1.weight": torch.zeros(3, 3)}, wrong)
    with pytest.raises(InputError, match=r"(?s)missing .*shape mismatch"):
        _model(weights=str(wrong))


@needs_timm
def test_imagenet_weights_offline_is_a_clear_input_error(monkeypatch) -> None:
    import socket

    from genemoe.models.backbones import import_timm

    import_timm()  # timm through genemoe's torchvision shim, whatever ran before
    import timm.models._builder as builder

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [])  # the host resolves; the fetch fails

    def no_network(*args, **kwargs):
        raise OSError("simulated: cannot reach huggingface.co (no network)")

    monkeypatch.setattr(builder, "load_pretrained", no_network)
    with pytest.raises(InputError) as err:
        _model(weights="imagenet")
    msg = str(err.value)
    assert "ImageNet" in msg and "--weights none" in msg and "--weights PATH" in msg
    assert "no network" in msg  # the cause is shown, not swallowed


@needs_timm
def test_unknown_option_is_input_error() -> None:
    with pytest.raises(InputError, match="image_sise"):
        _model(image_sise=32)


@needs_timm
def test_integrated_gradients_give_per_gene_attributions() -> None:
    from genemoe.explain.integrated_gradients import attribute

    torch.manual_seed(0)
    model = _model(dropout=0.0)
    X = np.random.default_rng(0).normal(size=(2, N_GENES)).astype(np.float32)
    attr, delta = attribute(model, X, target=1, n_steps=4, internal_batch_size=8)
    assert attr.shape == (2, N_GENES) and np.isfinite(attr).all()
    assert np.abs(attr).sum() > 0
    assert np.asarray(delta).shape[0] == 2


def test_default_grid_never_lets_the_resize_skip_genes() -> None:
    from genemoe.models.backbones import _default_grid

    # more genes than image pixels: the grid is the image (contiguous genes share a pixel)
    assert _default_grid(54_271, 64) == 64 and _default_grid(64 * 64 + 1, 64) == 64
    # genes fit: the smallest square holding each once, then resized up
    assert _default_grid(64 * 64, 64) is None and _default_grid(100, 64) is None


def test_image_module_names_the_same_backbones() -> None:
    from genemoe.models.backbones import BACKBONES
    from genemoe.models.image import IMAGENET_BACKBONES

    assert IMAGENET_BACKBONES == tuple(BACKBONES)  # input_scaling's default reads this list


@needs_timm
def test_the_default_depth_follows_the_weights(tmp_path, caplog) -> None:
    """The defaults (``weights: none``, ``finetune: last_block``) trained a frozen *random*
    backbone, with a warning that said to change them. ``auto``: all layers without
    pretrained weights, the last block with them."""
    with caplog.at_level("WARNING"):
        assert _model().finetune == "all"
    assert "frozen *random*" not in caplog.text
    path = tmp_path / "w.pt"
    torch.save(_model().backbone.state_dict(), path)
    assert _model(weights=str(path)).finetune == "last_block"
    with caplog.at_level("WARNING"):
        assert _model(finetune="head").finetune == "head"  # asked for: kept, and warned
    assert "frozen *random* network" in caplog.text


@needs_timm
@pytest.mark.parametrize("name,least", [("vgg19", 32), ("densenet169", 29), ("xception", 7)])
def test_an_image_too_small_for_the_network_is_one_error(name: str, least: int) -> None:
    """vgg19 at 16 px: torch's "Output size is too small" traceback from its fifth pooling."""
    with pytest.raises(InputError, match=rf"{name} needs an image of at least {least} x {least}"):
        _model(name, image_size=least - 1)
    _model(name, image_size=least)(torch.randn(2, N_GENES))  # the least that runs


@needs_timm
def test_an_unknown_layout_names_the_backbone() -> None:
    """It named ``model.hybrid_cnn.layout`` for ``--model xception --layout hexagon``."""
    with pytest.raises(InputError, match=r"model\.xception\.layout: unknown layout 'hexagon'"):
        _model("xception", layout="hexagon")


@needs_timm
def test_imagenet_weights_offline_fail_at_once_or_load_from_the_cache(tmp_path, monkeypatch) -> None:
    """Offline, ``--weights imagenet`` ran about a minute of retries, every message twice,
    before its error; cached weights (the Hugging Face cache) now load without the network."""
    import socket

    import huggingface_hub.constants as hf_constants
    from safetensors.torch import save_file

    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(InputError, match=r"no network \(huggingface\.co does not resolve\) and "
                                         r"they are not in the local cache"):
        _model(weights="imagenet")
    from genemoe.models.backbones import import_timm

    full = import_timm().create_model("resnet50", pretrained=False)
    repo = tmp_path / "hub" / "models--timm--resnet50.a1_in1k"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc")
    (repo / "snapshots" / "abc").mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in full.state_dict().items()},
              str(repo / "snapshots" / "abc" / "model.safetensors"))
    got = _model(weights="imagenet").backbone.state_dict()
    want = full.state_dict()
    assert torch.equal(got["conv1.weight"], want["conv1.weight"])


def test_an_unknown_finetune_policy_is_refused_before_any_warning(caplog) -> None:
    """`--finetune bogus` first warned "weights none with finetune bogus: the backbone is a
    frozen *random* network", then gave the real error."""
    from genemoe.models.backbones import finetune_depth

    with caplog.at_level("WARNING"), pytest.raises(InputError, match="unknown finetune policy 'bogus'"):
        finetune_depth("bogus", "none")
    assert "frozen" not in caplog.text
