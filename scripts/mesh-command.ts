/**
 * `npm run plan`, `npm run deploy` and `npm run destroy`: the mesh's stacks, one at a time in dependency order, each
 * planned, shown readably (scripts/readable-plan.cjs) and applied only once you say so.
 *
 *   npm run plan    [-- STACK...]                  plan and show; changes nothing
 *   npm run deploy  [-- STACK...] [--auto-approve] plan, show, ask "yes", apply; then the next stack
 *   npm run destroy [-- STACK...] [--auto-approve] plan the destroy, name every object it deletes, ask for the mesh's
 *                                                  name, destroy; then the state backups that hold secrets
 *
 * STACK: `operator` or `mesh` (or the stack's full name, `<mesh>-operator`, `<mesh>-mesh`); default both. It drives
 * Terraform itself in cdktf.out/stacks/<stack> after `cdktf synth` (cdktf's own prompt needs a terminal and shows the
 * unfolded plan). Answers are read from stdin, so a script can pipe them; no answer (end of input) is "no".
 * Everything it writes (plans, state) is private to you (umask 077); each plan file is removed when it is done.
 */
import { spawn, spawnSync } from 'child_process';
import { rmSync } from 'fs';
import { join } from 'path';
import { createInterface } from 'readline';
import { loadMesh } from '../mesh/load';
import { Mesh } from '../mesh/model';
import { MeshConfigError } from '../mesh/validate';
import { STACK_KINDS, StackKind, stackNames } from '../stacks/stack-names';
import { describeMesh, holdsResources, stateFile } from '../stacks/state-files';

export type Command = 'plan' | 'deploy' | 'destroy';
export const COMMANDS: readonly Command[] = ['plan', 'deploy', 'destroy'];

export interface Invocation {
  readonly command: Command;
  readonly autoApprove: boolean;
  /** The stacks asked for, in the order the command works on them. */
  readonly stacks: readonly StackKind[];
}

/** A command that cannot run as asked; nothing was done. */
export class UsageError extends Error {}

/**
 * Reads the command line and the stacks it names; refuses what cdktf would refuse (a stack whose dependency is not
 * deployed, a dependency destroyed before its dependent) with the reason, before anything runs.
 */
export function parseInvocation(args: readonly string[], mesh: Pick<Mesh, 'name'>, deployed: (stack: StackKind) => boolean): Invocation {
  const [command, ...rest] = args;
  if (!COMMANDS.includes(command as Command)) throw new UsageError(`unknown command ${JSON.stringify(command)}; use one of ${COMMANDS.join(', ')}`);
  const names = stackNames(mesh);
  let autoApprove = false;
  const asked = new Set<StackKind>();
  for (const arg of rest) {
    if (arg === '--auto-approve') {
      if (command === 'plan') throw new UsageError('--auto-approve: plan changes nothing, so there is nothing to approve');
      autoApprove = true;
      continue;
    }
    if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}; the only option is --auto-approve (for deploy and destroy)`);
    const kind = STACK_KINDS.find((k) => k === arg || names[k] === arg);
    if (!kind) {
      throw new UsageError(`${JSON.stringify(arg)} is not a stack of mesh "${mesh.name}": its stacks are ${STACK_KINDS.map((k) => `${k} (${names[k]})`).join(', ')}`);
    }
    asked.add(kind);
  }
  const all = asked.size === 0;
  const chosen = STACK_KINDS.filter((k) => all || asked.has(k));
  if (command !== 'destroy' && !chosen.includes('operator') && !deployed('operator')) {
    throw new UsageError(`stack ${names.mesh} needs stack ${names.operator} (Strimzi's CRDs) deployed first, and it is not: run it without naming a stack`);
  }
  if (command === 'destroy' && !chosen.includes('mesh') && deployed('mesh')) {
    throw new UsageError(`stack ${names.mesh} is still deployed and needs stack ${names.operator}: destroy ${names.mesh} first, or both (no stack named)`);
  }
  return { command: command as Command, autoApprove, stacks: command === 'destroy' ? [...chosen].reverse() : chosen };
}

/** One resource change of a plan, as `terraform show -json` tells it. */
interface ResourceChange {
  address: string;
  type: string;
  change: { actions: string[]; before?: any; after?: any };
}

/**
 * What a plan does to the cluster, counted per object (the waits and records beside them, `terraform_data`, are no
 * objects: Terraform's own count includes them), and what it deletes, named as a platform engineer knows it.
 */
export function summarize(changes: readonly ResourceChange[]): { add: number; change: number; destroy: number; deleted: string[] } {
  let add = 0;
  let change = 0;
  let destroy = 0;
  const deleted: string[] = [];
  for (const c of changes) {
    if (c.type === 'terraform_data') continue;
    const a = c.change.actions;
    if (a.includes('create')) add++;
    if (a.includes('update')) change++;
    if (a.includes('delete')) {
      destroy++;
      deleted.push(describe(c));
    }
  }
  return { add, change, destroy, deleted };
}

function describe(c: ResourceChange): string {
  const before = c.change.before ?? {};
  const manifest = before.manifest ?? before.object;
  if (c.type === 'kubernetes_manifest' && manifest?.kind) return `${manifest.kind} ${manifest.metadata?.namespace ? `${manifest.metadata.namespace}/` : ''}${manifest.metadata?.name}`;
  if (c.type === 'kubernetes_namespace_v1') return `Namespace ${before.metadata?.[0]?.name}`;
  if (c.type === 'kubernetes_secret_v1') return `Secret ${before.metadata?.[0]?.namespace}/${before.metadata?.[0]?.name}`;
  if (c.type === 'helm_release') return `Helm release ${before.namespace}/${before.name}`;
  return c.address;
}

const TERRAFORM = process.env.TERRAFORM_BINARY_NAME || 'terraform';
const ROOT = join(__dirname, '..');

/** Runs a command, its output passed through (stdout piped through the `filter` script, if any); resolves to its exit code. */
function run(cmd: string, args: string[], cwd: string, filter?: string): Promise<number> {
  const exited = (p: ReturnType<typeof spawn>) => new Promise<number>((resolve, reject) => p.on('error', reject).on('close', (code) => resolve(code ?? 1)));
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', filter ? 'pipe' : 'inherit', 'inherit'] });
  if (!filter) return exited(child);
  // stderr is not filtered: an error is never folded away with a plan block.
  const folder = spawn(process.execPath, [filter], { stdio: ['pipe', 'inherit', 'inherit'] });
  child.stdout!.pipe(folder.stdin!);
  return Promise.all([exited(child), exited(folder)]).then(([code]) => code);
}

let answers: AsyncIterableIterator<string> | undefined;
/** One line of stdin; undefined at the end of input. */
async function ask(question: string): Promise<string | undefined> {
  process.stdout.write(question);
  answers ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const next = await answers.next();
  if (next.done) process.stdout.write('\n(no answer: end of input)\n');
  return next.done ? undefined : next.value.trim();
}

async function main(argv: string[]): Promise<number> {
  process.umask(0o077);
  let mesh: Mesh;
  try {
    mesh = loadMesh();
  } catch (e) {
    if (e instanceof MeshConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  console.log(describeMesh(mesh));
  const names = stackNames(mesh);
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, mesh, (k) => holdsResources(stateFile(process.cwd(), names[k])));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`npm run ${argv[0] ?? '<command>'}: ${e.message}; nothing was done`);
      return 1;
    }
    throw e;
  }
  const { command, autoApprove, stacks } = invocation;
  // plan: the mesh stack can be planned only against the operator's CRDs, so not while the operator stack has changes.
  let pendingOperator = false;

  // The app, with every guard of the synth (mesh file, data loss, state of unnamed stacks).
  if ((await run(join(ROOT, 'node_modules', '.bin', 'cdktf'), ['synth'], process.cwd())) !== 0) return 1;

  for (const kind of stacks) {
    const stack = names[kind];
    const dir = join(process.cwd(), 'cdktf.out', 'stacks', stack);
    const planFile = join(dir, `${command}.tfplan`);
    const cleanup = () => rmSync(planFile, { force: true });
    process.once('exit', cleanup);
    try {
      console.log(`\n== stack ${stack}: terraform init`);
      const init = spawnSync(TERRAFORM, ['init', '-input=false', '-no-color'], { cwd: dir, encoding: 'utf8' });
      if (init.status !== 0) {
        process.stderr.write(`${init.stdout}${init.stderr}`);
        return 1;
      }
      if (command === 'plan' && kind === 'mesh' && stacks.includes('operator') && pendingOperator) {
        console.log(`== stack ${stack}: planned once ${names.operator} is applied (its Strimzi resources need the operator's CRDs at plan time)`);
        continue;
      }
      console.log(`== stack ${stack}: terraform plan${command === 'destroy' ? ' -destroy' : ''}`);
      const planned = await run(TERRAFORM, ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${planFile}`, ...(command === 'destroy' ? ['-destroy'] : [])], dir, join(ROOT, 'scripts', 'readable-plan.cjs'));
      if (planned === 1 || planned > 2) {
        console.error(`stack ${stack}: the plan failed (above); nothing was changed`);
        return 1;
      }
      if (planned === 0) {
        console.log(`== stack ${stack}: no changes`);
        if (kind === 'operator') pendingOperator = false;
        continue;
      }
      const shown = spawnSync(TERRAFORM, ['show', '-json', planFile], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
      if (shown.status !== 0) {
        process.stderr.write(shown.stderr);
        return 1;
      }
      const summary = summarize(JSON.parse(shown.stdout).resource_changes ?? []);
      console.log(`== stack ${stack}: objects: ${summary.add} to create, ${summary.change} to change, ${summary.destroy} to delete`);
      if (summary.deleted.length) console.log(`   deletes: ${summary.deleted.join(', ')}`);
      if (command === 'plan') {
        if (kind === 'operator') pendingOperator = true;
        continue;
      }
      if (!autoApprove) {
        const answer =
          command === 'destroy'
            ? await ask(`Destroy stack ${stack} of mesh "${mesh.name}", deleting everything named above? Type the mesh's name (${mesh.name}) to confirm: `)
            : await ask(`Apply this plan to stack ${stack} of mesh "${mesh.name}"? Only "yes" applies: `);
        if (answer !== (command === 'destroy' ? mesh.name : 'yes')) {
          console.log(`stack ${stack}: not applied; nothing was changed${stacks.indexOf(kind) < stacks.length - 1 ? ', and the stacks after it were not planned' : ''}`);
          return 1;
        }
      }
      console.log(`== stack ${stack}: terraform apply`);
      if ((await run(TERRAFORM, ['apply', '-input=false', '-no-color', planFile], dir)) !== 0) {
        console.error(`stack ${stack}: the apply failed (above); what it completed is in the state, the next ${command} continues from there`);
        return 1;
      }
    } finally {
      cleanup();
    }
  }
  if (command === 'destroy' && stacks.length === STACK_KINDS.length) {
    // The backups of the emptied states still hold every copied secret.
    return (await run('bash', [join(ROOT, 'scripts', 'forget-secrets.sh')], process.cwd()));
  }
  return 0;
}
if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
