#!/usr/bin/env bash
# After a successful `cdktf destroy '*'`: removes the state backups Terraform keeps beside the state files.
# terraform.<stack>.tfstate.backup is the state before the last apply or destroy; after a destroy that is the whole
# deployed mesh, with every copied password and CA (README, "Secrets in Terraform's files"). Run it in the folder
# that holds cdktf.json; `npm run destroy` runs it for you. It acts on every mesh's stacks in the folder, and only
# on a stack whose state is empty (destroyed): the backup of a deployed stack is never removed.
set -euo pipefail
shopt -s nullglob
for state in terraform.*.tfstate; do
  if grep -q '"type":' "$state"; then
    [ -f "$state.backup" ] && echo "forget-secrets: $state still holds resources; its backup is kept (run 'cdktf destroy' first)." >&2
    continue
  fi
  if [ -f "$state.backup" ]; then rm -f "$state.backup"; echo "forget-secrets: removed $state.backup"; fi
done
# Plan files cdktf leaves (cdktf diff, cdktf deploy) hold every value the plan read, copied secrets included.
for plan in cdktf.out/stacks/*/plan cdktf.out/stacks/*/*.tfplan; do rm -f "$plan"; echo "forget-secrets: removed $plan"; done
