/**
 * Where each mesh's Terraform state lives, and the checks that keep one mesh's commands off another's state.
 * The state is local: `terraform.<stack>.tfstate` in the project folder (stack-settings.ts), the stack named after
 * the mesh (main.ts, stackNames).
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { MESH_CONFIG_ENV } from '../mesh/load';
import { Mesh } from '../mesh/model';

/** The project folder holds state that this version cannot tell the owner of; nothing is synthesized. */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

/** The state file of a stack, in the project folder. */
export function stateFile(projectDir: string, stack: string): string {
  return join(projectDir, `terraform.${stack}.tfstate`);
}

/** True if a state file exists and still holds resources (a destroyed stack's state has none). */
export function holdsResources(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: unknown[] };
    return (state.resources ?? []).length > 0;
  } catch {
    // Unreadable state: treat it as holding resources, so that nothing acts on it unseen.
    return true;
  }
}

/** The line every command starts with: which mesh, from which file. */
export function describeMesh(mesh: Mesh, env: NodeJS.ProcessEnv = process.env): string {
  const file = env[MESH_CONFIG_ENV];
  return file ? `mesh "${mesh.name}" (${MESH_CONFIG_ENV}=${file})` : `mesh "${mesh.name}" (the built-in demo: ${MESH_CONFIG_ENV} is not set)`;
}

/** The stacks of versions before meshes had names: `operator` and `mesh`, one state per clone, whatever the mesh. */
const UNNAMED_STACKS = ['operator', 'mesh'] as const;

/**
 * Refuses to synthesize while the project folder holds a deployed state of the unnamed stacks: that state belongs to
 * a mesh deployed before meshes had names, and the named stacks would not see it (a deploy would create a second
 * mesh beside it, a destroy would leave it). Says how to hand it to its mesh.
 */
export function refuseUnnamedState(projectDir: string): void {
  const held = UNNAMED_STACKS.filter((stack) => holdsResources(stateFile(projectDir, stack)));
  if (held.length === 0) return;
  const moves = held.map((stack) => `mv terraform.${stack}.tfstate terraform.<name>-${stack}.tfstate`).join(' && ');
  throw new StateError(
    [
      `This folder holds the state of a mesh deployed before meshes had names (${held.map((s) => `terraform.${s}.tfstate`).join(', ')}); nothing was synthesized.`,
      `Give that mesh's file a name (name: <name>; the built-in demo is "demo"), then move its state to the stacks of that name, in this folder:`,
      `  ${moves}`,
      `and delete cdktf.out/stacks/operator and cdktf.out/stacks/mesh. Until then no command can tell which mesh that state belongs to.`,
    ].join('\n'),
  );
}
