/**
 * What the tier needs on this machine, built once and cached by version (tier-support/cache.ts): the control
 * plane's binaries (control-plane/build.sh), and a Terraform-compatible CLI with the two providers in a filesystem
 * mirror (scripts/terraform/install-tools.sh, shared with the Terraform tier).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../tier-support/cache';
import { Log } from '../../tier-support/progress';
import { ensureControlPlaneBinaries } from './control-plane';

export interface Tools {
  /** Folder of etcd, kube-apiserver, ..., kubectl, kwok. */
  readonly controlPlaneBin: string;
  readonly kwokStages: string;
  /** The Terraform-compatible CLI, and the CLI config that installs providers from the mirror only. */
  readonly terraform: string;
  readonly terraformConfig: string;
}

export function ensureTools(log: Log): Tools {
  const t0 = Date.now();
  const { bin, kwokStages } = ensureControlPlaneBinaries(log);
  log('Terraform CLI and providers: scripts/terraform/install-tools.sh (cached per machine; cold about 5 min)');
  // It prints where it wrote tools.env (its only line on stdout).
  const toolsEnv = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'terraform', 'install-tools.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
  const env = fs.readFileSync(toolsEnv, 'utf8');
  const value = (name: string) => {
    const m = new RegExp(`^export ${name}='([^']*)'`, 'm').exec(env);
    if (!m) throw new Error(`${toolsEnv} does not set ${name}`);
    return m[1];
  };
  log(`tools ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { controlPlaneBin: bin, kwokStages, terraform: value('TF_TIER_CLI'), terraformConfig: value('TF_CLI_CONFIG_FILE') };
}
