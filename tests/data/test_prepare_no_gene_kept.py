"""A gene filter that keeps no gene is refused by prepare (a probe: `--min-variance 1e9`
wrote a bundle with exit 0; logreg then ended in a traceback, an fcn scored 0.010), and a
binary --config is one clear error, not a UnicodeDecodeError traceback."""

from __future__ import annotations

import pytest

from genemoe.config_presets import read_config_yaml
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError


def test_a_filter_keeping_no_gene_is_refused(tmp_path):
    files = write_synthetic_files(make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3,
                                                        seed=1), tmp_path / "in")
    with pytest.raises(InputError, match=r"--min-variance / --min-mean: the gene filter keeps "
                                         r"no gene of the"):
        prepare_dataset([files["counts"]], out_path=tmp_path / "b", label_paths=[files["labels"]],
                        config=PrepareConfig(synthetic=True, min_variance=1e9, min_mean=1e9))
    assert not (tmp_path / "b").exists()


def test_a_binary_config_is_one_clear_error(tmp_path):
    path = tmp_path / "bin.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="not a text YAML file"):
        read_config_yaml(path)
