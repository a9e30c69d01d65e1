/** Test support: the problems the validator finds in a parsed mesh file (none: an empty list). */
import { MeshConfigError, resolveMesh } from '../../mesh/validate';

export function meshProblems(input: unknown): string[] {
  try {
    resolveMesh(input);
  } catch (e) {
    if (e instanceof MeshConfigError) return [...e.problems];
    throw e;
  }
  return [];
}
