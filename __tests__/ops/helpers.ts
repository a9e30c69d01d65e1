/**
 * Running the ops commands in-process against the fake Kubernetes API (fake-kube.ts): temporary kubeconfigs and
 * captured output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { Io } from '../../ops/command';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command's main with the given environment (nothing inherited but PATH) and captured output. */
export async function run(
  main: (argv: readonly string[], io: Io) => Promise<number>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  tty = false,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: tty },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: { PATH: process.env.PATH, ...env },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ops-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: Record<string, unknown>;
  readonly user?: Record<string, unknown>;
}

/** Writes a kubeconfig whose first context is the current one; returns its path. */
export function writeKubeconfig(dir: string, contexts: readonly KubeconfigContext[], file = 'kubeconfig.yaml'): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': contexts[0].name,
      clusters: contexts.map((c) => ({ name: `${c.name}-cluster`, cluster: c.cluster })),
      users: contexts.map((c) => ({ name: `${c.name}-user`, user: c.user ?? {} })),
      contexts: contexts.map((c) => ({ name: c.name, context: { cluster: `${c.name}-cluster`, user: `${c.name}-user` } })),
    }),
  );
  return path;
}

/** Environment that points the commands at one server through KUBECONFIG (the demo mesh, no MESH_CONFIG). */
export function envFor(dir: string, server: string, user: Record<string, unknown> = { token: 'test-token' }, cluster: Record<string, unknown> = {}): NodeJS.ProcessEnv {
  return { HOME: dir, KUBECONFIG: writeKubeconfig(dir, [{ name: 'fake', cluster: { server, ...cluster }, user }]) };
}
