#!/usr/bin/env bash
# The GPU check of issue 15.3 on a lent GPU machine: CUDA tests, then the paper preset timed.
# Run from anywhere:  bash benchmarks/device_check.sh [device_check.py options]
# Writes $OUT/device_check.json (+ test_cuda.log, test_cuda.xml, device_check.log,
# nvidia_smi.txt); $OUT defaults to ./device_check_out. No network is needed: genemoe is
# imported from src/ (PYTHONPATH), torch, numpy, pandas, scipy, scikit-learn, PyYAML, tqdm,
# pytest and timm come from the machine's python3. Wheels of anything missing there can
# travel in .whl/ (see /work/.library/device/README.md); they are installed to /tmp/site.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
PY=${PYTHON:-python3}
if compgen -G ".whl/*.whl" > /dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD/src${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1
# torchrun (the DDP test) must be the one of this python
export PATH="$(dirname "$(command -v "$PY")"):$PATH"
# --help only reads the options: no output folder, no nvidia-smi (it made both first)
for arg in "$@"; do
    case "$arg" in -h|--help) exec "$PY" benchmarks/device_check.py --help ;; esac
done
OUT=${OUT:-$PWD/device_check_out}
mkdir -p "$OUT"
nvidia-smi > "$OUT/nvidia_smi.txt" 2>&1 || true
timeout 540 "$PY" benchmarks/device_check.py --out "$OUT" "$@" 2>&1 | tee "$OUT/device_check.log"
