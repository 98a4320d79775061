#!/usr/bin/env bash
# Builds every module's DocC catalog with warnings as errors (broken symbol links, undocumented
# parameters). Not part of `swift test`: the DocC plugin adds a few minutes.
#
#   bash Scripts/check_docs.sh [TARGET ...]     (default: every library target)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(TensorCore MLOpsStorage Lineage DriftStats Registry FeatureParity Rollout RolloutRegistry GPUScheduling)
fi
for target in "${targets[@]}"; do
  echo "== $target" >&2
  swift package generate-documentation --target "$target" --warnings-as-errors > /dev/null
done
echo "documentation builds cleanly for: ${targets[*]}" >&2
