"""``pretrain_run``'s Python-only arguments of the wrong type or value (an outside tester,
FF): one InputError naming the argument, before anything is written.

Old behaviour: ``max_epochs_this_call="1"``: a TypeError (``int + str``); ``0`` or ``-1``:
KeyError 'notes' from the summary; ``1.5`` ran 2 epochs; ``progress="no"`` was read as
true (the bar drawn)."""

from __future__ import annotations

import re

import pytest

from genemoe.errors import InputError


@pytest.mark.parametrize(("options", "says"), [
    ({"max_epochs_this_call": "1"}, "max_epochs_this_call: must be a whole number of epochs, "
                                    "1 or more, got '1' (a string)"),
    ({"max_epochs_this_call": 0}, "max_epochs_this_call: must be a whole number of epochs, "
                                  "1 or more, got 0"),
    ({"max_epochs_this_call": -1}, "got -1"),
    ({"max_epochs_this_call": 1.5}, "got 1.5"),
    ({"progress": "no"}, "progress: must be True or False, got 'no'"),
])
def test_pretrain_run_refuses_a_wrong_argument_before_writing(tiny_pretrained, tmp_path,
                                                              options, says):
    from genemoe.workflows.pretrain import pretrain_run

    bundle, cfg, _ = tiny_pretrained
    out = tmp_path / "pre"
    with pytest.raises(InputError, match=re.escape(says)):
        pretrain_run(bundle.path, out_dir=out, config_path=cfg, device="cpu",
                     **{"progress": False, **options})
    assert not out.exists()
