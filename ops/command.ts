/**
 * What both commands share: where they write, colour only on a TTY (and never with NO_COLOR), their exit codes,
 * reading the mesh and the kubeconfig it was deployed with, and telling why the cluster cannot be used.
 */
import { loadMesh, MESH_CONFIG_ENV } from '../mesh/load';
import { Mesh } from '../mesh/model';
import { MeshConfigError } from '../mesh/validate';
import { KubeError } from './kube-api';
import { Kubeconfig, KubeconfigError } from './kubeconfig';

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** A command's world, so that tests can run it in-process. */
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
}

export const EXIT = {
  ok: 0,
  /** npm run check found a problem. */
  problems: 1,
  /** Bad arguments, unknown region, invalid mesh file. */
  usage: 2,
  /** No kubeconfig, or the cluster cannot be reached or refuses the credentials. */
  noCluster: 3,
} as const;

export const COLOURS = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;

/** Paints text with an ANSI colour if the output is a terminal; otherwise returns it unchanged. */
export type Paint = (text: string, colour: number) => string;

export function painter(output: Output, env: NodeJS.ProcessEnv): Paint {
  const colour = output.isTTY === true && !env.NO_COLOR;
  return (text, code) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
}

/**
 * Tells why the cluster cannot be used, and what to do, on stderr; returns the exit code. Rethrows anything else.
 * `scope` names what was being reached, e.g. `region europe`.
 */
export function reportNoCluster(e: unknown, scope: string, io: Io): number {
  if (!(e instanceof KubeconfigError) && !(e instanceof KubeError && (e.isFatal || e.kind === 'forbidden'))) throw e;
  const paint = painter(io.stderr, io.env);
  const what = e instanceof KubeconfigError ? 'No usable kubeconfig' : e.kind === 'unauthorized' || e.kind === 'forbidden' ? 'The cluster refuses access' : 'No cluster reachable';
  io.stderr.write(`${paint(`${what} for ${scope}:`, COLOURS.red)} ${e.message}\n`);
  if (e.hint) io.stderr.write(`What to do: ${e.hint}\n`);
  return EXIT.noCluster;
}

/** The mesh of MESH_CONFIG (or the demo), or undefined after telling why it is invalid. */
export function readMesh(io: Io): Mesh | undefined {
  try {
    const mesh = loadMesh(io.env);
    io.stderr.write(`mesh: ${io.env[MESH_CONFIG_ENV] || `the demo (${MESH_CONFIG_ENV} not set)`}\n`);
    return mesh;
  } catch (e) {
    if (!(e instanceof MeshConfigError)) throw e;
    io.stderr.write(`${e.message}\n`);
    return undefined;
  }
}

/** The kubeconfig the mesh was deployed with (throws KubeconfigError); says which on stderr. */
export function readKubeconfig(mesh: Mesh, io: Io): Kubeconfig {
  const kubeconfig = Kubeconfig.forMesh(mesh, io.env);
  const { paths, from } = kubeconfig.source;
  io.stderr.write(`kubeconfig: ${paths.join(', ')}${from === 'KUBECONFIG' ? ' (from KUBECONFIG)' : ''}\n`);
  return kubeconfig;
}

/** What a command's argument parser returns: its options, a request for help, or what is wrong. */
export type Parsed<T> = T | { help: true } | { error: string };

/**
 * The start every command shares: parse the arguments (help on request, usage after an error) and read the mesh.
 * Returns the options and the mesh, or the exit status to end with.
 */
export function start<T extends object>(
  argv: readonly string[],
  io: Io,
  parse: (argv: readonly string[]) => Parsed<T>,
  usage: string,
): { args: T; mesh: Mesh } | number {
  const args = parse(argv);
  if ('help' in args) {
    io.stdout.write(usage);
    return EXIT.ok;
  }
  if ('error' in args) {
    io.stderr.write(`${args.error}\n\n${usage}`);
    return EXIT.usage;
  }
  const mesh = readMesh(io);
  return mesh ? { args, mesh } : EXIT.usage;
}

