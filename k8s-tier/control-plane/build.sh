#!/usr/bin/env bash
# Builds, from Go modules only, the binaries of a container-free Kubernetes control plane:
#   etcd                                 go.etcd.io/etcd/server/v3, through a one-file main module
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#                                        k8s.io/kubernetes, through a module that pins every staging module
#   kwok                                 sigs.k8s.io/kwok (the stand-in kubelet: nodes and pod status, no containers)
# and kwok's "fast" Stage set (kwok exits with "no stages found" without one).
#
# Binaries land in $CP_CACHE/bin, a folder keyed by every version that goes into them, so a second run (or a fresh
# clone on the same machine) finds them and exits in a second. Go's own caches (GOMODCACHE, GOCACHE) are the user's
# defaults, shared with the provider builds. Cold: about 10 min on 2 cores; warm Go caches: under a minute.
#
# Usage: k8s-tier/control-plane/build.sh            prints the bin folder on its last line
# Env:   CP_CACHE   where to put the binaries (default: $MESH_TIER_CACHE/control-plane-<versions>)
set -euo pipefail

K8S_VERSION=1.34.4        # k8s.io/kubernetes; staging modules are v0.34.4
ETCD_VERSION=v3.6.16      # 3.4 (Debian's) lacks RequestWatchProgress, which 1.34 clients rely on
KWOK_VERSION=v0.8.0
GO_VERSION=$(go env GOVERSION)
TIER_CACHE=${MESH_TIER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-shared-topic-mesh}
CP_CACHE=${CP_CACHE:-$TIER_CACHE/control-plane-k8s$K8S_VERSION-etcd${ETCD_VERSION#v}-kwok${KWOK_VERSION#v}-$GO_VERSION}
BIN=$CP_CACHE/bin
mkdir -p "$BIN" "$CP_CACHE/logs"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

T0=$SECONDS
log() { printf '[control-plane build %4ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
# quiet LABEL CMD...: runs CMD with its output in a log; prints the log only on failure; ticks every 30 s meanwhile.
quiet() {
  local label=$1 logf="$CP_CACHE/logs/$1.log" start=$SECONDS pid rc=0; shift
  log "$label: started (log: $logf)"
  "$@" >"$logf" 2>&1 & pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && log "$label: still building ($((SECONDS - start)) s)"
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then grep -v '^go: downloading' "$logf" >&2 || true; log "$label: FAILED (exit $rc)"; exit "$rc"; fi
  log "$label: done in $((SECONDS - start)) s"
}

# ---- etcd: etcd's own main module uses replace directives, so `go install` refuses it; a one-file main does not.
if [ ! -x "$BIN/etcd" ]; then
  w=$CP_CACHE/etcd-main
  mkdir -p "$w"
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >"$w/main.go"
  printf 'module meshtier/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$w/go.mod"
  rm -f "$w/go.sum"
  (cd "$w" && quiet etcd go build -trimpath -ldflags='-s -w' -o "$BIN/etcd.tmp" . && mv "$BIN/etcd.tmp" "$BIN/etcd")
fi

# ---- Kubernetes: k8s.io/kubernetes points its staging modules at ./staging/...; pin each to its published v0.x.
COMPONENTS="kube-apiserver kube-controller-manager kube-scheduler kubectl"
missing=""
for c in $COMPONENTS; do [ -x "$BIN/$c" ] || missing="$missing $c"; done
if [ -n "$missing" ]; then
  w=$CP_CACHE/k8s-main
  mkdir -p "$w"
  staging="v0.${K8S_VERSION#1.}"
  # Module queries run outside the wrapper module (whose go.sum is not written yet).
  modfile=$(cd "$CP_CACHE" && GOFLAGS= go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    printf 'module meshtier/k8s\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$K8S_VERSION"
    awk -v v="$staging" '$2 == "=>" && $3 ~ /^\.\/staging\// {print "\t" $1 " => " $1 " " v}' "$modfile"
    printf ')\n'
  } >"$w/go.mod"
  rm -f "$w/go.sum"
  # Version stamping as Kubernetes' release build does: Helm's kubeVersion checks and the providers read it.
  build_date=$(cd "$CP_CACHE" && GOFLAGS= go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "k8s.io/kubernetes@v$K8S_VERSION")
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$build_date"
  done
  for c in $missing; do
    (cd "$w" && quiet "$c" go build -trimpath -ldflags="$ldflags" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c" && mv "$BIN/$c.tmp" "$BIN/$c")
  done
fi

# ---- kwok and its Stage set (node-initialize, node heartbeat with a Lease, pod ready/complete/delete).
if [ ! -x "$BIN/kwok" ]; then
  tmp=$(mktemp -d "$CP_CACHE/gobin.XXXXXX")
  GOBIN=$tmp GOFLAGS= quiet kwok go install -trimpath -ldflags='-s -w' "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$tmp/kwok" "$BIN/kwok"; rm -rf "$tmp"
fi
if [ ! -s "$CP_CACHE/kwok-stages.yaml" ]; then
  kwok_dir=$(cd "$CP_CACHE" && GOFLAGS= go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  stages=$kwok_dir/kustomize/stage
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo '---'; cat "$stages/$f"
  done >"$CP_CACHE/kwok-stages.yaml.tmp"
  mv "$CP_CACHE/kwok-stages.yaml.tmp" "$CP_CACHE/kwok-stages.yaml"
fi

log "ready in $((SECONDS - T0)) s: $(cd "$BIN" && echo *)"
echo "$CP_CACHE"
