#!/usr/bin/env bash
# Terraform test tier (npm run test:terraform): proves that every synthesized stack is
# valid Terraform for the exact provider versions that the cdktf bindings target.
#
#   1. installs a terraform-compatible CLI and builds the providers into a local
#      filesystem mirror (scripts/terraform/install-tools.sh; cached after the first run);
#   2. synthesizes the app three times: the default demo mesh, the larger mesh of
#      __tests__/fixtures/meshes/five-regions.yaml (MESH_CONFIG=...), and the mesh on three
#      Kubernetes clusters of __tests__/fixtures/meshes/three-clusters.yaml (with the
#      kubeconfig __tests__/fixtures/kubeconfigs/three-clusters.yaml), each into
#      .cache/terraform/synth/<name>;
#   3. runs `init -backend=false -input=false` and `validate -json` in every stack dir,
#      prints every warning and error, and fails if any stack has an error.
#
# Usage:
#   scripts/terraform/run-tier.sh                    # synthesize and validate (the tier)
#   scripts/terraform/run-tier.sh --no-synth DIR...  # validate already synthesized output
#                                                    # (DIR/stacks/*/cdk.tf.json, e.g. cdktf.out);
#                                                    # stacks are copied to the cache first,
#                                                    # DIR itself is not touched
# Ends with the line "N passed, M failed" (N, M: stacks). Exit code 0 only if M is 0 and N > 0.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
# Synth outputs and init logs stay in the clone; the tools (CLI, providers) are cached per machine.
CACHE="$REPO_ROOT/.cache/terraform"
FIVE_REGIONS_FIXTURE="__tests__/fixtures/meshes/five-regions.yaml" # relative to the repo root
THREE_CLUSTERS_FIXTURE="__tests__/fixtures/meshes/three-clusters.yaml"
THREE_CLUSTERS_KUBECONFIG="__tests__/fixtures/kubeconfigs/three-clusters.yaml" # synth reads it; no cluster is contacted

log() { printf '[test:terraform] %s\n' "$*"; }
banner() { printf '\n[test:terraform] ==== %s ====\n' "$*"; }

MODE=synth
INPUT_DIRS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-synth) MODE=no-synth; shift; INPUT_DIRS=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$MODE" = no-synth ] && [ ${#INPUT_DIRS[@]} -eq 0 ]; then
  echo "--no-synth needs at least one directory" >&2; exit 2
fi
# Resolve the input directories against the caller's cwd before anything changes directory.
for i in "${!INPUT_DIRS[@]}"; do
  [ -d "${INPUT_DIRS[$i]}" ] || { echo "not a directory: ${INPUT_DIRS[$i]}" >&2; exit 2; }
  INPUT_DIRS[i]="$(cd "${INPUT_DIRS[$i]}" && pwd)"
done

TIER_START=$SECONDS

# --- 1. tools -----------------------------------------------------------------------------
banner "tools"
TOOLS_ENV="$("$SCRIPT_DIR/install-tools.sh")"
# shellcheck disable=SC1090
source "$TOOLS_ENV"
# Nothing from the caller's environment may change what init/validate do.
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate TF_DATA_DIR TF_WORKSPACE TF_PLUGIN_CACHE_DIR
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
CLI="$TF_TIER_CLI"
CLI_VERSION="$("$CLI" version)"
CLI_VERSION="${CLI_VERSION%%$'\n'*}"
log "using $CLI_VERSION ($CLI), TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE"

PASSED=0
FAILED=0
FAILED_NAMES=()
SKIPPED_NOTES=()
STACK_DIRS=()   # "label|dir"

fail() { FAILED=$((FAILED + 1)); FAILED_NAMES+=("$1"); }

# --- 2. synthesis -------------------------------------------------------------------------
# synth NAME [MESH_CONFIG [KUBECONFIG]]: synthesizes into $CACHE/synth/NAME and queues its stacks.
synth() {
  local name="$1" mesh="${2:-}" kubeconfig="${3:-${KUBECONFIG:-}}" out="$CACHE/synth/$1" logf="$CACHE/synth/$1.log" start=$SECONDS rc=0
  rm -rf "$out"
  mkdir -p "$CACHE/synth"
  if [ -n "$mesh" ]; then
    log "synthesizing '$name' (MESH_CONFIG=$mesh) into ${out#"$REPO_ROOT"/}"
    (cd "$REPO_ROOT" && MESH_CONFIG="$mesh" KUBECONFIG="$kubeconfig" npx cdktf synth --output "$out") >"$logf" 2>&1 || rc=$?
  else
    log "synthesizing '$name' (default demo mesh) into ${out#"$REPO_ROOT"/}"
    (cd "$REPO_ROOT" && env -u MESH_CONFIG npx cdktf synth --output "$out") >"$logf" 2>&1 || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    # the log without cdktf's spinner frames and terminal escapes
    sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$logf" | LC_ALL=C grep -v -E '^[[:space:]]*(⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏)[[:space:]]' | LC_ALL=C grep -v -E '^[[:space:]]*$' || true
    log "FAILED: synthesis of '$name' exited $rc (log: $logf)"
    fail "$name (synthesis)"
    return 0
  fi
  queue_stacks "$name" "$out"
  log "synthesized '$name' in $((SECONDS - start))s"
}

# queue_stacks LABEL DIR: every DIR/stacks/<stack>/cdk.tf.json becomes a stack to validate.
queue_stacks() {
  local label="$1" dir="$2" found=0 f
  for f in "$dir"/stacks/*/cdk.tf.json; do
    [ -f "$f" ] || continue
    STACK_DIRS+=("$label|$(dirname "$f")")
    found=$((found + 1))
  done
  if [ "$found" -eq 0 ]; then
    log "FAILED: no stacks found in $dir/stacks/*/cdk.tf.json"
    fail "$label (no stacks)"
  else
    log "'$label': $found stack(s)"
  fi
}

banner "synthesis"
if [ "$MODE" = synth ]; then
  synth demo
  if [ -f "$REPO_ROOT/$FIVE_REGIONS_FIXTURE" ]; then
    synth five-regions "$REPO_ROOT/$FIVE_REGIONS_FIXTURE"
  else
    log "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    log "!!! SKIPPED the five-regions mesh: $FIVE_REGIONS_FIXTURE does not exist (yet)."
    log "!!! Only the default demo mesh is validated by this run."
    SKIPPED_NOTES+=("the five-regions mesh ($FIVE_REGIONS_FIXTURE does not exist)")
    log "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  fi
  synth three-clusters "$REPO_ROOT/$THREE_CLUSTERS_FIXTURE" "$REPO_ROOT/$THREE_CLUSTERS_KUBECONFIG"
else
  log "--no-synth: validating copies of already synthesized stacks"
  rm -rf "$CACHE/validate"
  for dir in "${INPUT_DIRS[@]}"; do
    label="$(basename "$dir")"
    copy="$CACHE/validate/$label"
    mkdir -p "$copy"
    if [ -d "$dir/stacks" ]; then
      cp -R "$dir/stacks" "$copy/stacks"
      # never reuse an init state or lock file from elsewhere
      find "$copy/stacks" -mindepth 2 -maxdepth 2 \( -name .terraform -o -name .terraform.lock.hcl \) -exec rm -rf {} +
    fi
    queue_stacks "$label" "$copy"
  done
fi

# --- 3. init + validate ------------------------------------------------------------------
banner "init + validate ($CLI_VERSION)"
for entry in ${STACK_DIRS[@]+"${STACK_DIRS[@]}"}; do
  label="${entry%%|*}"
  dir="${entry#*|}"
  stack="$label/$(basename "$dir")"
  start=$SECONDS
  rm -rf "$dir/.terraform" "$dir/.terraform.lock.hcl"
  if ! (cd "$dir" && "$CLI" init -backend=false -input=false -no-color) >"$dir/init.log" 2>&1; then
    cat "$dir/init.log"
    log "FAILED: stack '$stack': init failed (see above; dir: $dir)"
    fail "$stack (init)"
    continue
  fi
  rc=0
  (cd "$dir" && "$CLI" validate -json -no-color) >"$dir/validate.json" 2>"$dir/validate.stderr" || rc=$?
  drc=0
  node "$SCRIPT_DIR/diagnostics.cjs" "$stack" <"$dir/validate.json" || drc=$?
  if [ "$drc" -eq 0 ] && [ "$rc" -eq 0 ]; then
    log "ok: stack '$stack' is valid ($((SECONDS - start))s)"
    PASSED=$((PASSED + 1))
  else
    [ -s "$dir/validate.stderr" ] && cat "$dir/validate.stderr"
    log "FAILED: stack '$stack' is not valid Terraform (validate exit $rc, $((SECONDS - start))s; dir: $dir)"
    fail "$stack"
  fi
done

# --- summary ------------------------------------------------------------------------------
banner "summary"
log "CLI: $CLI_VERSION; total time $((SECONDS - TIER_START))s"
if [ "$FAILED" -gt 0 ]; then
  for n in "${FAILED_NAMES[@]}"; do log "failed: $n"; done
fi
for n in ${SKIPPED_NOTES[@]+"${SKIPPED_NOTES[@]}"}; do log "!!! SKIPPED: $n"; done
if [ "$PASSED" -eq 0 ] && [ "$FAILED" -eq 0 ]; then
  log "no stack was validated"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
