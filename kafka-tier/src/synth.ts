/**
 * Loads the synthesized Terraform JSON of the mesh and turns it into a per-region model of the custom resources and
 * apps that the Kafka tier runs. Input: cdktf.out/stacks/<stack>/cdk.tf.json as written by `cdktf synth --output`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { log, REPO_ROOT, TIER_CACHE } from './util';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  [k: string]: any;
};

/** A value of a secret's data that copies another secret's data through a data source lookup. */
export interface SecretRef { namespace: string; name: string; key: string }

export interface RegionModel {
  namespace: string;
  kafka: Manifest;
  nodePools: Manifest[];
  topics: Manifest[];
  users: Manifest[];
  mirrorMakers: Manifest[];
  deployments: Manifest[];
  /** ConfigMaps of the namespace: name -> data */
  configMaps: Record<string, Record<string, string>>;
  /** Secrets the stack writes into the namespace: name -> key -> value (literal) or SecretRef (copied data) */
  secrets: Record<string, Record<string, string | SecretRef>>;
}

export interface MeshModel {
  source: string;
  regions: RegionModel[];
  /** every manifest, for shape checks and diagnostics */
  manifests: Manifest[];
}

const SECRET_MARK = '\u0000secret:';
/**
 * A listener's `bootstrapServers` read from a Kafka's status through a `data.kubernetes_resource` (a mirror's source on
 * another cluster): known only at apply, so the run fills it in (kafka-tier/src/mesh.ts, from the listener it runs).
 */
export const STATUS_MARK = '\u0000status:';
/** `<STATUS_MARK><namespace>/<kafka name>:<listener name>` -> its parts, or undefined for any other string. */
export function parseStatusRef(v: string): { namespace: string; name: string; listener: string } | undefined {
  const m = new RegExp(`^${STATUS_MARK}([^/]+)/([^:]+):(.+)$`).exec(v);
  return m ? { namespace: m[1], name: m[2], listener: m[3] } : undefined;
}
/**
 * The expression the stack writes for it (constructs/external-address.ts): Terraform's `one` over
 * `[for listener in try(data.kubernetes_resource.<id>.object.status.listeners, []) : listener.bootstrapServers
 * if listener.name == "<name>" && try(listener.bootstrapServers, "") != ""]`, the single listener of that name with an
 * address (the `try`s and the address condition optional here).
 */
const STATUS_EXPR = new RegExp('^one\\(\\[\\s*for\\s+(\\w+)\\s+in\\s+(?:try\\(\\s*)?data\\.kubernetes_resource\\.([A-Za-z0-9_-]+)\\.object\\.status\\.listeners(?:\\s*,\\s*\\[\\s*\\]\\s*\\))?'
  + '\\s*:\\s*\\1\\.bootstrapServers\\s+if\\s+\\1\\.name\\s*==\\s*"([^"]+)"(?:\\s*&&\\s*try\\(\\s*\\1\\.bootstrapServers\\s*,\\s*""\\s*\\)\\s*!=\\s*"")?\\s*\\]\\)$');

/** Finds the synthesized stack JSON files under an output directory. */
function stackFiles(outDir: string): string[] {
  const stacks = path.join(outDir, 'stacks');
  if (!fs.existsSync(stacks)) throw new Error(`no stacks under ${outDir}`);
  return fs.readdirSync(stacks)
    .map((s) => path.join(stacks, s, 'cdk.tf.json'))
    .filter((f) => fs.existsSync(f));
}

/**
 * Runs `cdktf synth --output <dir>` for the project (MESH_CONFIG selects a non-default mesh) and returns the stack
 * JSON files. The output directory is under the tier's cache, one per mesh config.
 */
export function synthesize(meshConfig?: string, extraEnv: Record<string, string> = {}): string[] {
  const name = meshConfig ? path.basename(meshConfig).replace(/\.[^.]+$/, '') : 'default';
  const outDir = path.join(TIER_CACHE, 'synth', name);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
  if (meshConfig) env.MESH_CONFIG = path.resolve(REPO_ROOT, meshConfig);
  else delete env.MESH_CONFIG;
  Object.assign(env, extraEnv);
  const t0 = Date.now();
  execFileSync('npx', ['cdktf', 'synth', '--output', outDir], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  log(`synth ${meshConfig ?? '(default mesh)'} -> ${path.relative(REPO_ROOT, outDir)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return stackFiles(outDir);
}

/**
 * The input for a mesh: the project's own synth (`cdktf synth`, MESH_CONFIG for a mesh file), or for the default
 * mesh an existing synth output named by KAFKA_TIER_SYNTH_DIR. Never anything hand-made: the tier tests what would
 * be deployed.
 */
export function meshInput(opts: { meshConfig?: string; env?: Record<string, string> }): { files: string[]; source: string } {
  if (process.env.KAFKA_TIER_SYNTH_DIR && !opts.meshConfig) {
    const dir = path.resolve(process.env.KAFKA_TIER_SYNTH_DIR);
    return { files: stackFiles(dir), source: `synth output ${dir}` };
  }
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => ` ${k}=${v}`).join('');
  return { files: synthesize(opts.meshConfig, opts.env), source: `cdktf synth${opts.meshConfig ? ` MESH_CONFIG=${opts.meshConfig}` : ''}${env}` };
}

function getPath(obj: any, parts: (string | number)[]): any {
  let cur = obj;
  for (const p of parts) {
    if (cur === undefined || cur === null) return undefined;
    if (typeof p === 'number') {
      // a Terraform block list is written as a single object by cdktf: [0] on an object is the object
      cur = Array.isArray(cur) ? cur[p] : p === 0 ? cur : undefined;
    } else {
      cur = cur[p];
    }
  }
  return cur;
}

/** Parses `a.b[0].c["d.e"]` into path parts. */
function parseRef(expr: string): (string | number)[] | undefined {
  const parts: (string | number)[] = [];
  const re = /(?:^|\.)([A-Za-z0-9_-]+)|\[(\d+)\]|\["([^"]+)"\]/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(expr)) !== null) {
    consumed = re.lastIndex;
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push(m[3]);
    if (consumed >= expr.length) break;
  }
  return consumed === expr.length ? parts : undefined;
}

interface Stack { resource: Record<string, Record<string, any>>; data: Record<string, Record<string, any>> }

/** Resolves `${...}` references to resources and data sources of the same stack; returns unresolved ones. */
function resolveTokens(value: any, stack: Stack, unresolved: Set<string>, depth = 0): any {
  if (depth > 20) throw new Error('reference cycle while resolving tokens');
  if (typeof value === 'string') {
    if (!value.includes('${') && !value.includes('%%{')) return value;
    // Terraform template escapes: $${ and %%{ are the literal ${ and %{
    const ESC = '\u0001';
    return value.replace(/\$\$\{/g, ESC).replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
      const status = STATUS_EXPR.exec(expr.trim());
      if (status) {
        const ds = stack.data?.kubernetes_resource?.[status[2]];
        if (!ds) { unresolved.add(whole); return whole; }
        const r = resolveTokens({ api_version: ds.api_version, kind: ds.kind, metadata: ds.metadata }, stack, unresolved, depth + 1);
        const md = Array.isArray(r.metadata) ? r.metadata[0] : r.metadata;
        if (r.api_version !== 'kafka.strimzi.io/v1' || r.kind !== 'Kafka' || !md?.name) {
          throw new Error(`data.kubernetes_resource.${status[2]} read for a listener address is not a kafka.strimzi.io/v1 Kafka: ${JSON.stringify(r)}`);
        }
        return `${STATUS_MARK}${md.namespace ?? 'default'}/${md.name}:${status[3]}`;
      }
      const parts = parseRef(expr.trim());
      if (!parts) { unresolved.add(whole); return whole; }
      if (parts[0] === 'data') {
        const [, type, name, ...rest] = parts as string[];
        const ds = stack.data?.[type]?.[name];
        if (ds && type === 'kubernetes_secret_v1' && rest[0] === 'data' && rest.length === 2) {
          const md = resolveTokens(ds.metadata, stack, unresolved, depth + 1);
          return `${SECRET_MARK}${md.namespace ?? 'default'}/${md.name}:${rest[1]}`;
        }
        unresolved.add(whole);
        return whole;
      }
      const [type, name, ...rest] = parts;
      const res = stack.resource?.[type as string]?.[name as string];
      const v = res === undefined ? undefined : getPath(res, rest);
      if (v === undefined || typeof v === 'object') { unresolved.add(whole); return whole; }
      return String(resolveTokens(v, stack, unresolved, depth + 1));
    }).split(ESC).join('${').replace(/%%\{/g, '%{');
  }
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, stack, unresolved, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveTokens(v, stack, unresolved, depth + 1);
    return out;
  }
  return value;
}

function parseSecretValue(v: string): string | SecretRef {
  if (!v.startsWith(SECRET_MARK)) return v;
  const m = /^([^/]+)\/([^:]+):(.+)$/.exec(v.slice(SECRET_MARK.length));
  if (!m) throw new Error(`bad secret reference ${v}`);
  return { namespace: m[1], name: m[2], key: m[3] };
}

/** Loads one mesh from synthesized stack files. */
export function loadMesh(files: string[], source: string): MeshModel {
  const manifests: Manifest[] = [];
  const secrets: { namespace: string; name: string; data: Record<string, string | SecretRef> }[] = [];
  const configMaps: { namespace: string; name: string; data: Record<string, string> }[] = [];
  const unresolved = new Set<string>();
  for (const file of files) {
    const stack: Stack = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const res of Object.values(stack.resource?.kubernetes_manifest ?? {})) {
      const m = resolveTokens(res.manifest, stack, unresolved) as Manifest;
      if (m && m.kind) manifests.push(m);
    }
    for (const type of ['kubernetes_secret_v1', 'kubernetes_secret']) {
      for (const res of Object.values(stack.resource?.[type] ?? {})) {
        const r = resolveTokens(res, stack, unresolved);
        const md = Array.isArray(r.metadata) ? r.metadata[0] : r.metadata;
        const data: Record<string, string | SecretRef> = {};
        for (const [k, v] of Object.entries({ ...(r.data ?? {}), ...(r.string_data ?? {}) })) data[k] = parseSecretValue(String(v));
        secrets.push({ namespace: md.namespace ?? 'default', name: md.name, data });
      }
    }
    for (const type of ['kubernetes_config_map_v1', 'kubernetes_config_map']) {
      for (const res of Object.values(stack.resource?.[type] ?? {})) {
        const r = resolveTokens(res, stack, unresolved);
        const md = Array.isArray(r.metadata) ? r.metadata[0] : r.metadata;
        configMaps.push({ namespace: md.namespace ?? 'default', name: md.name, data: r.data ?? {} });
      }
    }
    // ConfigMaps and Secrets may also be written as kubernetes_manifest
  }
  for (const m of manifests) {
    if (m.apiVersion === 'v1' && m.kind === 'ConfigMap') {
      configMaps.push({ namespace: m.metadata.namespace ?? 'default', name: m.metadata.name, data: m.data ?? {} });
    }
    if (m.apiVersion === 'v1' && m.kind === 'Secret') {
      const data: Record<string, string | SecretRef> = {};
      for (const [k, v] of Object.entries(m.stringData ?? {})) data[k] = parseSecretValue(String(v));
      for (const [k, v] of Object.entries(m.data ?? {})) data[k] = parseSecretValue(String(v).startsWith(SECRET_MARK) ? String(v) : Buffer.from(String(v), 'base64').toString('utf8'));
      secrets.push({ namespace: m.metadata.namespace ?? 'default', name: m.metadata.name, data });
    }
  }
  if (unresolved.size) log(`synth: ${unresolved.size} reference(s) left unresolved (not needed unless used below): ${[...unresolved].slice(0, 5).join(', ')}`);

  const strimzi = (kind: string) => manifests.filter((m) => m.kind === kind && /^kafka\.strimzi\.io\//.test(m.apiVersion));
  const ns = (m: Manifest) => m.metadata.namespace ?? 'default';
  const regions: RegionModel[] = strimzi('Kafka').map((kafka) => {
    const namespace = ns(kafka);
    const inCluster = (m: Manifest) => ns(m) === namespace && (m.metadata.labels?.['strimzi.io/cluster'] ?? kafka.metadata.name) === kafka.metadata.name;
    return {
      namespace,
      kafka,
      nodePools: strimzi('KafkaNodePool').filter(inCluster),
      topics: strimzi('KafkaTopic').filter(inCluster),
      users: strimzi('KafkaUser').filter(inCluster),
      mirrorMakers: strimzi('KafkaMirrorMaker2').filter((m) => ns(m) === namespace),
      deployments: manifests.filter((m) => m.kind === 'Deployment' && ns(m) === namespace),
      configMaps: Object.fromEntries(configMaps.filter((c) => c.namespace === namespace).map((c) => [c.name, c.data])),
      secrets: Object.fromEntries(secrets.filter((s) => s.namespace === namespace).map((s) => [s.name, s.data])),
    };
  });
  const seen = new Set<string>();
  for (const r of regions) {
    if (seen.has(r.namespace)) throw new Error(`more than one Kafka cluster in namespace ${r.namespace}: the tier runs one per region`);
    seen.add(r.namespace);
  }
  if (!regions.length) throw new Error(`no Kafka resource in ${source}`);
  return { source, regions, manifests };
}
