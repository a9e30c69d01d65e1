/**
 * Where the test tiers keep what they build or download once per machine: binaries keyed by their versions, so a
 * fresh clone on the same machine starts in seconds. Outside the clone on purpose; MESH_TIER_CACHE moves it.
 */
import * as os from 'os';
import * as path from 'path';

/** Repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** Per-machine cache of every tier (default ~/.cache/kafka-shared-topic-mesh). */
export const MACHINE_CACHE =
  process.env.MESH_TIER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'kafka-shared-topic-mesh');

/** Per-clone scratch space of a tier (synth outputs, run directories): `<repo>/<tier>/.cache`, git-ignored. */
export function cloneCache(tierDir: string): string {
  return path.join(tierDir, '.cache');
}
