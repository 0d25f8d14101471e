"""A UTF-16 file with its byte-order mark, and UTF-32 ones, are named as what they are
(probeW, probeY: a UTF-16 labels file WITH its mark was asked "UTF-16 text without its
byte-order mark?", and UTF-32 was named UTF-16)."""

from __future__ import annotations

import pytest

from genemoe.data.textio import binary_error

TEXT = "sample_id\tcancer_type\n" + "".join(f"TCGA-AA-{i:04d}-01\tBRCA\n" for i in range(20))


@pytest.mark.parametrize(("encoding", "said", "iconv"), [
    ("utf-16", "UTF-16 text (as Excel's 'Unicode Text' saves it, with its byte-order mark)",
     "UTF-16"),
    ("utf-32", "UTF-32 text (with its byte-order mark)", "UTF-32"),
    ("utf-32-le", "UTF-32LE text, it seems (no byte-order mark", "UTF-32LE"),
    ("utf-32-be", "UTF-32BE text, it seems (no byte-order mark", "UTF-32BE"),
    ("utf-16-le", "UTF-16 text without its byte-order mark?", "UTF-16"),
])
def test_wide_text_is_named(tmp_path, encoding, said, iconv):
    path = tmp_path / "labels.tsv"
    path.write_bytes(TEXT.encode(encoding))
    err = binary_error(path)
    assert err is not None and said in err.problem
    assert f"iconv -f {iconv} -t UTF-8" in err.fix
