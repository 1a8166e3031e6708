#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU, its driver, and access to PyPI and the npm registry.
# Fits a 10-minute slot once the wheels are cached (first run: ~3 GB of wheels).
#
#   1. pip-installs tensorflow[and-cuda] (the CUDA build of the C library + NVIDIA's CUDA/cuDNN
#      wheels) into a venv under the native cache;
#   2. builds @tensorflow/tfjs-node-gpu against it (scripts/native-backend.mjs --gpu --from ...);
#   3. checks that libtensorflow created a GPU device and that a matMul runs there;
#   4. times eran-plus training epochs on ml100k-cast on the GPU and on the CPU build.
# Usage: bash scripts/gpu-check.sh [DATA_DIR (default ../shared/data/ml100k-cast)] [EPOCHS (default 3)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:-$ROOT/../shared/data/ml100k-cast}"
EPOCHS="${2:-3}"
CACHE="${ERAN_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eran-graph/native}"
VENV="$CACHE/tf-gpu-venv"
cd "$ROOT"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "gpu-check: nvidia-smi failed: no usable NVIDIA GPU"; exit 1; }

if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q 'tensorflow[and-cuda]==2.21.0'
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# libtensorflow finds CUDA through the NVIDIA wheels' lib folders (Python's tensorflow adds them itself).
CUDA_LIBS="$(find "$SITE/nvidia" -maxdepth 2 -type d -name lib | paste -sd: -)"
export LD_LIBRARY_PATH="$CUDA_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

node scripts/native-backend.mjs --gpu --from "$SITE/tensorflow" --strict
node scripts/native-backend.mjs --strict   # the CPU build, for the comparison

echo "== device placement"
TF_CPP_MIN_LOG_LEVEL=0 node -e "
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-node-gpu');
tf.setBackend('tensorflow').then(() => {
  const a = tf.randomNormal([4096, 4096]);
  tf.matMul(a, a).dataSync();
  const t0 = Date.now();
  for (let i = 0; i < 10; i++) tf.matMul(a, a).dataSync();
  console.log('matMul 4096^3 x10:', ((10 * 2 * 4096 ** 3) / ((Date.now() - t0) / 1000) / 1e9).toFixed(0), 'GFLOP/s');
});" 2>&1 | grep -E 'Created device .*GPU|GFLOP/s' || { echo "gpu-check: no GPU device was created"; exit 1; }

echo "== eran-plus training, $EPOCHS epochs on $DATA"
for backend in node-gpu node; do
  echo "-- $backend"
  npm run -s bench:train -- --csv "$DATA" --scoring mixture --backend "$backend" --epochs "$EPOCHS" 2>&1 | grep -E '^tfjs backend|s/epoch|peak RSS'
done
