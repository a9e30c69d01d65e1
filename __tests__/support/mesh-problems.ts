/** Test support: the problems the validator finds in a parsed mesh file (none: an empty list). */
import { MeshConfigError, resolveMesh } from '../../mesh/validate';

/** A mesh file's input with a name, unless it names itself (most tests are about something else; `name` has its own). */
export function named(input: unknown): unknown {
  return input !== null && typeof input === 'object' && !Array.isArray(input) && !('name' in input) ? { name: 'test', ...input } : input;
}

export function meshProblems(input: unknown): string[] {
  try {
    resolveMesh(named(input));
  } catch (e) {
    if (e instanceof MeshConfigError) return [...e.problems];
    throw e;
  }
  return [];
}
