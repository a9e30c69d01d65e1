#!/usr/bin/env bash
# After a successful `cdktf destroy '*'`: removes the state backups Terraform keeps beside the state files.
# terraform.<stack>.tfstate.backup is the state before the last apply or destroy; after a destroy that is the whole
# deployed mesh, with every copied password and CA (README, "Secrets in Terraform's files"). Run it in the folder
# that holds cdktf.json; `npm run destroy` runs it for you.
set -euo pipefail
for stack in mesh operator; do
  state="terraform.$stack.tfstate"
  # Only once the state itself is empty: never delete the backup of a deployed stack.
  if [ -f "$state" ] && grep -q '"type":' "$state"; then
    echo "forget-secrets: $state still holds resources; run 'cdktf destroy' first. Nothing removed." >&2
    exit 1
  fi
  if [ -f "$state.backup" ]; then rm -f "$state.backup"; echo "forget-secrets: removed $state.backup"; fi
done
