#!/usr/bin/env bash
# Installs what the Terraform test tier needs, without the Terraform registry:
#   * a terraform-compatible CLI: a suitable `tofu` (>= 1.6) or `terraform` (>= 1.5)
#     already on PATH, else OpenTofu built from source with `go install`
#     (Terraform v1.5.7 as a fallback if that build fails);
#   * the providers that the prebuilt cdktf bindings target, built with Go from their source
#     archives at the release tags (../shared/terraform-providers: the Go module proxy refuses
#     these versions; their dependencies come from the proxy), placed in a local filesystem mirror;
#   * a CLI config file that installs providers from that mirror only (never the network).
#
# Everything goes to ~/.cache/kafka-shared-topic-mesh/terraform (override: TF_TIER_CACHE), outside
# the clone, so a fresh clone on the same machine reuses the builds: a binary is rebuilt only if it
# is missing or its stamp (version, archive checksum, build flags) differs. Builds run concurrently.
#
# Usable on its own:
#   source "$(scripts/terraform/install-tools.sh)"   # prints where tools.env is; it sets TF_TIER_CLI, TF_CLI_CONFIG_FILE
#   cd cdktf.out/stacks/<stack> && "$TF_TIER_CLI" init -backend=false && "$TF_TIER_CLI" validate
#
# Environment:
#   TF_TIER_CACHE   cache directory (default: $MESH_TIER_CACHE/terraform, MESH_TIER_CACHE
#                   defaulting to ~/.cache/kafka-shared-topic-mesh)
#   PROVIDER_SOURCES  folder of the provider source archives (default: <repo>/../shared/terraform-providers)
#   TF_TIER_CLI     "auto" (default): a suitable tofu/terraform on PATH, else build OpenTofu;
#                   "build": always use the OpenTofu built into the cache;
#                   anything else: path or name of the CLI to use (version-checked).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE="${TF_TIER_CACHE:-${MESH_TIER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-shared-topic-mesh}/terraform}"
SOURCES="${PROVIDER_SOURCES:-$REPO_ROOT/../shared/terraform-providers}"

# --- what the bindings target -------------------------------------------------------------
# name | version | commit of the release tag | npm package of the cdktf bindings
PROVIDERS=(
  "kubernetes|2.38.0|be88f44271050f69d52f410bca388834afedfe71|@cdktf/provider-kubernetes"
  "helm|3.1.1|1cbf08f6a306ab3cdff6079b87a61c7641b64f3b|@cdktf/provider-helm"
)
TOFU_VERSION="1.6.3"
TOFU_LDFLAGS="-s -w -X github.com/opentofu/opentofu/version.dev=no"
TERRAFORM_FALLBACK_VERSION="1.5.7"
TERRAFORM_LDFLAGS="-s -w"
MIN_TOFU="1.6.0"
MIN_TERRAFORM="1.5.0"
MIN_GO="1.24.5" # go.mod: kubernetes 2.38.0 says go 1.24.1, helm 3.1.1 says go 1.24.5

log() { printf '[install-tools] %s\n' "$*" >&2; }
die() { printf '[install-tools] ERROR: %s\n' "$*" >&2; exit 1; }
# first_line: the first line of stdin; reads all of it, so the writer never gets SIGPIPE
# (with pipefail, `cmd | head -n1` can fail when head exits before cmd is done writing).
first_line() { local all; all="$(cat)"; printf '%s\n' "${all%%$'\n'*}"; }

# version_ge A B: true if version A >= B (numeric core only; "-dev" etc. ignored)
version_ge() {
  local a="${1%%[-+]*}" b="${2%%[-+]*}"
  [ "$(printf '%s\n%s\n' "$b" "$a" | sort -V | first_line)" = "$b" ]
}

# Never talk to HashiCorp's checkpoint service, never prompt.
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
export TF_INPUT=0

mkdir -p "$CACHE/bin" "$CACHE/providers" "$CACHE/stamps" "$CACHE/logs"
# The cache holds large binaries: keep it out of git even without a .gitignore entry.
[ -f "$CACHE/.gitignore" ] || printf '*\n' >"$CACHE/.gitignore"

# --- check that the pins here match the installed bindings ------------------------------------
for entry in "${PROVIDERS[@]}"; do
  IFS='|' read -r name version commit pkg <<<"$entry"
  idx="$REPO_ROOT/node_modules/$pkg/lib/provider/index.js"
  if [ -f "$idx" ]; then
    bound="$(sed -n "s/.*providerVersion: '\([^']*\)'.*/\1/p" "$idx" | first_line)"
    [ "$bound" = "$version" ] ||
      die "$pkg targets the $name provider '$bound' but this script builds $version: update PROVIDERS in $0 (version and release commit)"
  else
    log "warning: $idx not found (npm ci not run?): cannot check that $name $version is what the bindings target"
  fi
done

# --- stamps and builds ------------------------------------------------------------------------
# stamp_ok NAME CONTENT BINARY: the binary exists and its stamp matches.
stamp_ok() { [ -x "$3" ] && [ -f "$CACHE/stamps/$1" ] && [ "$(cat "$CACHE/stamps/$1")" = "$2" ]; }

GO_CHECKED=""
require_go() {
  [ -n "$GO_CHECKED" ] && return 0
  command -v go >/dev/null 2>&1 || die "Go >= $MIN_GO is needed to build the tools, and 'go' is not on PATH"
  local gv
  gv="$(go env GOVERSION)"; gv="${gv#go}"
  version_ge "$gv" "$MIN_GO" || die "Go >= $MIN_GO is needed to build the providers (found go$gv)"
  log "building with go$gv (module cache: $(go env GOMODCACHE), proxy: $(go env GOPROXY))"
  GO_CHECKED=1
}

# go_install MODULE@VERSION DEST_BINARY LDFLAGS STAMP_NAME STAMP: go install into a temp
# GOBIN, move the binary to DEST_BINARY, write the stamp. Output goes to the caller's stdout.
go_install() {
  local target="$1" dest="$2" ldflags="$3" stamp_name="$4" stamp="$5" tmp built rc=0 start=$SECONDS
  rm -f "$dest" "$CACHE/stamps/$stamp_name"
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "$CACHE/gobin.XXXXXX")"
  echo "+ go install -trimpath -ldflags='$ldflags' $target"
  GOBIN="$tmp" GOFLAGS=-buildvcs=false go install -trimpath -ldflags="$ldflags" "$target" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    built="$(find "$tmp" -type f | first_line)"
    if [ -n "$built" ]; then mv -f "$built" "$dest"; else echo "no binary produced"; rc=1; fi
  fi
  rm -rf "$tmp"
  [ "$rc" -eq 0 ] && printf '%s\n' "$stamp" >"$CACHE/stamps/$stamp_name"
  echo "[took $((SECONDS - start))s]"
  return "$rc"
}

# build_from_archive ARCHIVE DEST_BINARY LDFLAGS STAMP_NAME STAMP: unpacks a provider's source
# archive and builds its main package (go.sum pins every dependency; the proxy serves those).
build_from_archive() {
  local archive="$1" dest="$2" ldflags="$3" stamp_name="$4" stamp="$5" src rc=0 start=$SECONDS
  rm -f "$dest" "$CACHE/stamps/$stamp_name"
  mkdir -p "$(dirname "$dest")"
  src="$CACHE/src/$stamp_name"
  rm -rf "$src"; mkdir -p "$src"
  echo "+ tar xzf $archive && go build -trimpath -ldflags='$ldflags'"
  tar xzf "$archive" -C "$src" --strip-components=1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags="$ldflags" -o "$dest.tmp" .) 2>&1 || rc=$?
  fi
  [ "$rc" -eq 0 ] && mv -f "$dest.tmp" "$dest" && printf '%s\n' "$stamp" >"$CACHE/stamps/$stamp_name"
  rm -rf "$src" "$dest.tmp"
  echo "[took $((SECONDS - start))s]"
  return "$rc"
}

# Builds run concurrently in the background (downloads of one overlap compiles of another).
JOB_NAMES=(); JOB_PIDS=(); JOB_LOGS=()
start_build() { # LABEL go_install|build_from_archive MODULE@VERSION|ARCHIVE DEST LDFLAGS STAMP_NAME STAMP
  local label="$1" how="$2" logf="$CACHE/logs/build-$6.log"
  shift 2
  require_go
  log "building $label from $1 (log: $logf; first time: several minutes)"
  "$how" "$@" >"$logf" 2>&1 &
  JOB_NAMES+=("$label"); JOB_PIDS+=("$!"); JOB_LOGS+=("$logf")
}
# wait_builds: waits for all started builds; prints the log of each one that failed.
# Returns the number of failed builds; FAILED_BUILDS lists their labels.
wait_builds() {
  local i rc failed=0 took
  FAILED_BUILDS=()
  for i in ${JOB_PIDS[@]+"${!JOB_PIDS[@]}"}; do
    rc=0; wait "${JOB_PIDS[$i]}" || rc=$?
    took="$(sed -n 's/^\[took \([0-9]*\)s\]$/\1/p' "${JOB_LOGS[$i]}")"
    if [ "$rc" -eq 0 ]; then
      log "built ${JOB_NAMES[$i]} in ${took:-?}s"
    else
      grep -v '^go: downloading ' "${JOB_LOGS[$i]}" >&2 || true
      log "FAILED to build ${JOB_NAMES[$i]} (exit $rc; log: ${JOB_LOGS[$i]})"
      if grep -q -e 'This module version is not available' -e '403 Forbidden' -e '404 Not Found' -e '410 Gone' "${JOB_LOGS[$i]}"; then
        log "the Go module proxy in use ($(go env GOPROXY)) does not serve that module version"
      fi
      FAILED_BUILDS+=("${JOB_NAMES[$i]}")
      failed=$((failed + 1))
    fi
  done
  JOB_NAMES=(); JOB_PIDS=(); JOB_LOGS=()
  return "$failed"
}

PLATFORM="$( (command -v go >/dev/null 2>&1 && echo "$(go env GOOS)_$(go env GOARCH)") || true)"
if [ -z "$PLATFORM" ]; then
  case "$(uname -s)_$(uname -m)" in
    Linux_x86_64) PLATFORM=linux_amd64 ;; Linux_aarch64) PLATFORM=linux_arm64 ;;
    Darwin_x86_64) PLATFORM=darwin_amd64 ;; Darwin_arm64) PLATFORM=darwin_arm64 ;;
    *) die "unknown platform $(uname -s) $(uname -m)" ;;
  esac
fi
MIRROR="$CACHE/providers"

# --- CLI config: providers from the mirror only -----------------------------------------------
CLI_CONFIG="$CACHE/terraform.rc"
cat >"$CLI_CONFIG" <<EOF
# Written by scripts/terraform/install-tools.sh: install providers from the local mirror only.
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$CLI_CONFIG"

# --- CLI: which one ---------------------------------------------------------------------------
# cli_version CMD: prints "<Terraform|OpenTofu> <version>" or fails.
cli_version() {
  local first
  first="$("$1" version 2>/dev/null)" || return 1
  first="${first%%$'\n'*}"
  case "$first" in
    "Terraform v"*) echo "Terraform ${first#Terraform v}" ;;
    "OpenTofu v"*) echo "OpenTofu ${first#OpenTofu v}" ;;
    *) return 1 ;;
  esac
}
# cli_suitable CMD: the CLI runs and is new enough.
cli_suitable() {
  local kv kind ver
  kv="$(cli_version "$1")" || return 1
  kind="${kv%% *}"; ver="${kv#* }"
  case "$kind" in
    OpenTofu) version_ge "$ver" "$MIN_TOFU" ;;
    Terraform) version_ge "$ver" "$MIN_TERRAFORM" ;;
  esac
}

TOFU_BIN="$CACHE/bin/tofu"
TOFU_STAMP="opentofu version=$TOFU_VERSION ldflags=$TOFU_LDFLAGS"
TF_BIN="$CACHE/bin/terraform"
TF_STAMP="terraform version=$TERRAFORM_FALLBACK_VERSION ldflags=$TERRAFORM_LDFLAGS"

CLI=""
NEED_CLI_BUILD=""
case "${TF_TIER_CLI:-auto}" in
  auto|build)
    if [ "${TF_TIER_CLI:-auto}" = auto ]; then
      for candidate in tofu terraform; do
        if path="$(command -v "$candidate" 2>/dev/null)"; then
          if cli_suitable "$path"; then CLI="$path"; break; fi
          log "ignoring $path ($(cli_version "$path" || echo 'version unknown'): too old or not working)"
        fi
      done
    fi
    if [ -z "$CLI" ]; then
      if stamp_ok tofu "$TOFU_STAMP" "$TOFU_BIN"; then CLI="$TOFU_BIN"
      elif stamp_ok terraform "$TF_STAMP" "$TF_BIN"; then CLI="$TF_BIN"
      else NEED_CLI_BUILD=1
      fi
    fi
    ;;
  *)
    CLI="$(command -v "$TF_TIER_CLI" 2>/dev/null)" || die "TF_TIER_CLI=$TF_TIER_CLI: not found"
    ;;
esac

# --- builds -----------------------------------------------------------------------------------
for entry in "${PROVIDERS[@]}"; do
  IFS='|' read -r name version commit pkg <<<"$entry"
  bin="$MIRROR/registry.terraform.io/hashicorp/$name/$version/$PLATFORM/terraform-provider-${name}_v$version"
  ldflags="-s -w -X main.Version=$version"
  archive="$SOURCES/terraform-provider-$name-$version.tar.gz"
  [ -f "$archive" ] || die "no source archive for hashicorp/$name $version: $archive (set PROVIDER_SOURCES to the folder that holds it)"
  # The archive's pax header names the commit it was made from: it must be the release tag's.
  got="$(gzip -dc "$archive" | git get-tar-commit-id 2>/dev/null || true)"
  [ -z "$got" ] || [ "$got" = "$commit" ] || die "$archive was made from commit $got, not $commit (the v$version tag)"
  sum="$(sha256sum "$archive")"; sum="${sum%% *}"
  stamp="provider=hashicorp/$name version=$version commit=$commit sha256=$sum platform=$PLATFORM ldflags=$ldflags"
  if stamp_ok "provider-$name-$version" "$stamp" "$bin"; then
    log "provider hashicorp/$name $version: cached ($bin)"
  else
    start_build "provider hashicorp/$name $version" build_from_archive "$archive" \
      "$bin" "$ldflags" "provider-$name-$version" "$stamp"
  fi
done
if [ -n "$NEED_CLI_BUILD" ]; then
  if [ "${TF_TIER_CLI:-auto}" = auto ]; then
    log "no suitable tofu (>= $MIN_TOFU) or terraform (>= $MIN_TERRAFORM) on PATH: building OpenTofu v$TOFU_VERSION"
  fi
  start_build "OpenTofu v$TOFU_VERSION" go_install "github.com/opentofu/opentofu/cmd/tofu@v$TOFU_VERSION" \
    "$TOFU_BIN" "$TOFU_LDFLAGS" tofu "$TOFU_STAMP"
fi
failed=0
wait_builds || failed=$?
PROVIDER_FAILURES=()
TOFU_FAILED=""
for f in ${FAILED_BUILDS[@]+"${FAILED_BUILDS[@]}"}; do
  case "$f" in
    OpenTofu*) TOFU_FAILED=1 ;;
    *) PROVIDER_FAILURES+=("$f") ;;
  esac
done
if [ -n "$NEED_CLI_BUILD" ]; then
  if [ -z "$TOFU_FAILED" ]; then
    CLI="$TOFU_BIN"
  else
    log "OpenTofu v$TOFU_VERSION did not build; trying Terraform v$TERRAFORM_FALLBACK_VERSION"
    start_build "Terraform v$TERRAFORM_FALLBACK_VERSION" go_install "github.com/hashicorp/terraform@v$TERRAFORM_FALLBACK_VERSION" \
      "$TF_BIN" "$TERRAFORM_LDFLAGS" terraform "$TF_STAMP"
    wait_builds || die "could not build a terraform-compatible CLI (neither OpenTofu v$TOFU_VERSION nor Terraform v$TERRAFORM_FALLBACK_VERSION); see above"
    CLI="$TF_BIN"
  fi
fi
if [ ${#PROVIDER_FAILURES[@]} -gt 0 ]; then
  log "Providers are built from their source archives; their dependencies come from the Go module"
  log "proxy (GOPROXY=$(go env GOPROXY))."
  failures="$(IFS='|'; echo "${PROVIDER_FAILURES[*]}")"
  die "could not build: ${failures//|/, }; see above"
fi

# --- mirror aliases for OpenTofu --------------------------------------------------------------
# OpenTofu resolves unqualified sources ("kubernetes") to registry.opentofu.org/hashicorp/...
# Its mirror search (like Terraform's) ignores symlinks above the platform directory, so the
# alias is a symlink at the platform level.
for entry in "${PROVIDERS[@]}"; do
  IFS='|' read -r name version commit pkg <<<"$entry"
  alias_dir="$MIRROR/registry.opentofu.org/hashicorp/$name/$version"
  mkdir -p "$alias_dir"
  ln -sfn "../../../../registry.terraform.io/hashicorp/$name/$version/$PLATFORM" "$alias_dir/$PLATFORM"
done

# --- done -------------------------------------------------------------------------------------
cli_suitable "$CLI" || die "$CLI is not a suitable CLI (need OpenTofu >= $MIN_TOFU or Terraform >= $MIN_TERRAFORM)"
CLI_VERSION="$(cli_version "$CLI")"

cat >"$CACHE/tools.env" <<EOF
# Written by scripts/terraform/install-tools.sh; source it to use the tools.
export TF_TIER_CLI='$CLI'
export TF_CLI_CONFIG_FILE='$CLI_CONFIG'
export CHECKPOINT_DISABLE=1
EOF

log "CLI: $CLI_VERSION ($CLI)"
log "providers: $(for e in "${PROVIDERS[@]}"; do IFS='|' read -r n v _ _ <<<"$e"; printf 'hashicorp/%s %s  ' "$n" "$v"; done)(mirror: $MIRROR)"
log "CLI config: $CLI_CONFIG"
log "to use them yourself: source $CACHE/tools.env"
# The one line on stdout (everything else goes to stderr): where tools.env is, for the tiers that call this script.
echo "$CACHE/tools.env"
