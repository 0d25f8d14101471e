"""`genemoe download` ends with the `genemoe prepare` command that reads what came.

Old behaviour: the run's last line counted the files; which flag takes which file (the
expression, the clinical table as --labels, the survival table as --clinical, the probemap
as --annotation) had to be pieced together from the README. Checked by hand on a probe's hub
built from the shared data: both commands below prepare (224 samples x 2,999 genes of ACC,
KICH, UVM; 990 samples x 100 genes of 33 types).
"""

from __future__ import annotations

from pathlib import Path

from genemoe.data.download import download_tcga, plan_downloads
from genemoe.data.download_manifest import DownloadResult
from local_http import serve_hub

X = Path("xena")
TABLE = b"sample\tx\nTCGA-OR-A5J1-01A\t1\n"


def test_xena_gdc_files_are_globbed_per_flag() -> None:
    paths = [X / f"TCGA-{p}.{k}" for p in ("ACC", "UVM")
             for k in ("star_fpkm-uq.tsv.gz", "clinical.tsv", "survival.tsv")]
    result = DownloadResult(X, X / "manifest.json",
                            paths=[*paths, X / "gencode.v36.annotation.gtf.gene.probemap"])
    assert result.next_command() == (
        "next: genemoe prepare --expression xena/TCGA-*.star_fpkm-uq.tsv* \\\n"
        "    --labels xena/TCGA-*.clinical.tsv* \\\n"
        "    --clinical xena/TCGA-*.survival.tsv* \\\n"
        "    --annotation xena/gencode.v36.annotation.gtf.gene.probemap \\\n"
        "    --out bundles/tcga")


def test_pancan_files_are_named() -> None:
    names = ["EB++AdjustPANCAN_IlluminaHiSeq_RNASeqV2.geneExp.xena.gz",
             "Survival_SupplementalTable_S1_20171025_xena_sp",
             "TCGA_phenotype_denseDataOnlyDownload.tsv.gz"]
    text = DownloadResult(X, X / "m", paths=[X / n for n in names]).next_command()
    assert text.splitlines() == [
        f"next: genemoe prepare --expression xena/{names[0]} \\",
        f"    --labels xena/{names[2]} \\", f"    --clinical xena/{names[1]} \\",
        "    --out bundles/tcga"]
    assert DownloadResult(X, X / "m", paths=[X / names[1]]).next_command() == ""


def test_a_download_gives_its_command(tmp_path: Path) -> None:
    with serve_hub() as hub:
        for item in plan_downloads(["ACC"], values="counts", base_url=hub.base_url):
            hub.files[item.filename.removesuffix(".gz")] = TABLE  # plain, as hR's test
        result = download_tcga(tmp_path / "xena", projects=["ACC"], values="counts",
                               base_url=hub.base_url, backoff=0.01, timeout=2.0, progress=False)
    text = result.next_command()
    assert f"--expression {tmp_path / 'xena'}/TCGA-*.star_counts.tsv*" in text
    assert "--annotation" in text and text.endswith("--out bundles/tcga")
    assert max(map(len, text.splitlines())) <= 100 + len(str(tmp_path))
