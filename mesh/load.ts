/**
 * Where the mesh comes from: the file named by MESH_CONFIG (YAML or JSON), or the original demo.
 */
import { readFileSync } from 'fs';
import { parse } from 'yaml';
import { DEMO_MESH_FILE } from './demo';
import { Mesh } from './model';
import { MeshConfigError, resolveMesh } from './validate';

/** Environment variable naming a mesh file; unset or empty = the three-region demo. */
export const MESH_CONFIG_ENV = 'MESH_CONFIG';

/** Loads, parses and validates a mesh file. Throws MeshConfigError (naming the file) when it cannot be used. */
export function loadMeshFile(path: string): Mesh {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MeshConfigError([`cannot read the file: ${(e as Error).message}`], `mesh config ${path}`);
  }
  let parsed: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both; duplicate keys are errors, not silent overwrites.
    parsed = parse(text, { uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    throw new MeshConfigError([`is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`], `mesh config ${path}`);
  }
  if (parsed === null || parsed === undefined) {
    throw new MeshConfigError(['is empty; expected a mapping with "regions" and "topics"'], `mesh config ${path}`);
  }
  return resolveMesh(parsed, `mesh config ${path}`);
}

/** The mesh this process should synthesize: MESH_CONFIG's file, or the demo. */
export function loadMesh(env: NodeJS.ProcessEnv = process.env): Mesh {
  const path = env[MESH_CONFIG_ENV];
  return path ? loadMeshFile(path) : resolveMesh(DEMO_MESH_FILE, 'demo mesh');
}
