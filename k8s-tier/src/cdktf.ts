/**
 * Runs the real cdktf CLI on the app, as a user would, but in a project folder of the tier's own so that it never
 * touches the clone's cdktf.out or state: a cdktf.json whose `app` runs this repository's main.ts, with the state
 * files (`terraform.<stack>.tfstate`) beside it.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { StackKind, stackNames } from '../../main';
import { REPO_ROOT } from '../../tier-support/cache';
import { Log } from '../../tier-support/progress';
import { Tools } from './tools';

export interface CdktfRun {
  readonly command: string;
  readonly exitCode: number;
  readonly seconds: number;
  /** Everything it printed, without terminal escapes. */
  readonly output: string;
  readonly logFile: string;
}

export class CdktfProject {
  readonly env: NodeJS.ProcessEnv;
  private runs = 0;

  /**
   * @param dir the project folder (created)
   * @param env what the user's shell would hold: KUBECONFIG, MESH_CONFIG
   */
  constructor(readonly dir: string, tools: Tools, env: { KUBECONFIG: string; MESH_CONFIG: string }, private readonly log: Log) {
    fs.mkdirSync(dir, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdktf.json'), 'utf8')) as Record<string, unknown>;
    config.app = `${path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx')} ${path.join(REPO_ROOT, 'main.ts')}`;
    fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify(config, null, 2));
    this.env = {
      ...process.env,
      ...env,
      // kubectl (the CRD cleanup) from the control plane's build, not whatever else is on PATH.
      PATH: `${tools.controlPlaneBin}:${path.join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH}`,
      TERRAFORM_BINARY_NAME: tools.terraform,
      // Providers from the filesystem mirror only (README: "Behind a provider mirror").
      TF_CLI_CONFIG_FILE: tools.terraformConfig,
      // cdktf's `terraform providers lock` ignores the mirror and asks the registry; state is local, so no lock is needed.
      CDKTF_SKIP_PROVIDER_LOCK: 'true',
      // No network: no telemetry, no npm version check; cdktf leaves ~/.terraform.d alone.
      CHECKPOINT_DISABLE: '1',
      DISABLE_VERSION_CHECK: '1',
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      // Plain line output (no spinner redraws).
      CI: 'true',
      FORCE_COLOR: '0',
    };
  }

  /** The name of the mesh MESH_CONFIG's file describes now (it keys the stacks: main.ts, stackNames). */
  meshName(): string {
    const file = parse(fs.readFileSync(this.env.MESH_CONFIG!, 'utf8')) as { name?: string };
    if (!file?.name) throw new Error(`${this.env.MESH_CONFIG} names no mesh`);
    return file.name;
  }

  /** The Terraform working folder of one of the mesh's stacks (of MESH_CONFIG's mesh, unless `mesh` names another). */
  stackDir(stack: StackKind, mesh = this.meshName()): string {
    return path.join(this.dir, 'cdktf.out', 'stacks', stackNames({ name: mesh })[stack]);
  }

  stateFile(stack: StackKind, mesh = this.meshName()): string {
    return path.join(this.dir, `terraform.${stackNames({ name: mesh })[stack]}.tfstate`);
  }

  /**
   * `cdktf <args>`; prints the lines that show progress (resources done, errors) as they come, the whole output goes
   * to a log file.
   */
  run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CdktfRun> {
    const logFile = path.join(this.dir, `cdktf-${++this.runs}-${args[0]}.log`);
    const command = `cdktf ${args.join(' ')}`;
    this.log(`$ ${command}   (log: ${logFile})`);
    const t0 = Date.now();
    const out = fs.createWriteStream(logFile);
    let text = '';
    let rest = '';
    const progress = /(Creation complete|Destruction complete|Modifications complete|Apply complete|Destroy complete|No changes\.|Error|error:|Still (creating|destroying|modifying)\.\.\. \[[0-9]+m?[0-9]*s? elapsed\])/;
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdktf'), args, {
        cwd: this.dir,
        env: { ...this.env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const onData = (chunk: Buffer) => {
        const s = stripAnsi(chunk.toString('utf8'));
        out.write(s);
        text += s;
        const lines = (rest + s).split('\n');
        rest = lines.pop()!;
        for (const line of lines) {
          // "Still creating" lines only every 30 s of elapsed time, so long waits show without flooding.
          const still = /Still \w+\.\.\. \[(?:(\d+)m)?(\d+)s elapsed\]/.exec(line);
          if (still && (Number(still[1] ?? 0) * 60 + Number(still[2])) % 30 >= 10) continue;
          if (progress.test(line)) this.log(`  ${line.trim().slice(0, 220)}`);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('close', (code) => {
        out.end();
        const seconds = (Date.now() - t0) / 1000;
        this.log(`${command}: exit ${code} after ${seconds.toFixed(1)} s`);
        resolve({ command, exitCode: code ?? 1, seconds, output: text, logFile });
      });
    });
  }
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}
