"""``Bundle.describe()`` is what ``genemoe prepare`` prints of the bundle.

Old behaviour: every other API result had ``describe()``; a Bundle had none (AttributeError),
and prepare's summary lived in the CLI only (cli_inputs.bundle_summary_lines).
"""

from __future__ import annotations

from genemoe.cli_inputs import bundle_summary_lines
from genemoe.data.bundle import load_bundle


def test_describe_is_prepares_summary(synthetic_bundle):
    bundle = load_bundle(synthetic_bundle().path)
    text = bundle.describe()
    assert text.splitlines()[0] == f"bundle: {bundle.path}"
    assert f"samples: {bundle.X.shape[0]:,}  genes: {bundle.X.shape[1]:,}" in text
    assert text == "\n".join(bundle_summary_lines(bundle.summary, bundle.path))
