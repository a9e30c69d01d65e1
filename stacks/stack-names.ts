/** The deploy units of a mesh and their names. */
import { Mesh } from '../mesh/model';

/** The deploy units of a mesh, in deploy order. */
export const STACK_KINDS = ['operator', 'mesh'] as const;
export type StackKind = (typeof STACK_KINDS)[number];

/**
 * A mesh's stack names: also the folders under cdktf.out/stacks/ and the state files `terraform.<stack>.tfstate`,
 * so each mesh has a state of its own and `cdktf deploy '*'` only ever plans the synthesized mesh's.
 */
export function stackNames(mesh: Pick<Mesh, 'name'>): Record<StackKind, string> {
  return { operator: `${mesh.name}-operator`, mesh: `${mesh.name}-mesh` };
}
