/**
 * Which Kubernetes API server a region lives on, and how to authenticate to it: read from the kubeconfig.
 *
 * The kubeconfig is the mesh's `kubeconfig` when the mesh file sets one (that is what the stack's providers read),
 * else $KUBECONFIG (a list of files, merged like kubectl does: the first file to define a name wins), else
 * ~/.kube/config. A region's context is its `context` field, else the kubeconfig's current context.
 */
import { readFileSync } from 'fs';
import { homedir } from 'os';
import { dirname, isAbsolute, resolve } from 'path';
import { parse } from 'yaml';
import { Mesh } from '../mesh/model';
import { KubeconfigSource, kubeconfigSource as meshKubeconfigSource } from '../mesh/kubeconfig';

/** Everything needed to talk to one API server as one user. */
export interface Connection {
  readonly context: string;
  readonly user: string;
  readonly server: string;
  readonly certificateAuthority?: Buffer;
  readonly clientCertificate?: Buffer;
  readonly clientKey?: Buffer;
  readonly token?: string;
  readonly insecureSkipTlsVerify: boolean;
}

/** The kubeconfig cannot be used; `hint` says what to do. */
export class KubeconfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export type { KubeconfigSource };

type Entry = Record<string, unknown> & { readonly dir: string };

/** The merged kubeconfig: named clusters, users and contexts, and the current context. */
export class Kubeconfig {
  private constructor(
    readonly source: KubeconfigSource,
    private readonly clusters: ReadonlyMap<string, Entry>,
    private readonly users: ReadonlyMap<string, Entry>,
    private readonly contexts: ReadonlyMap<string, Entry>,
    readonly currentContext: string | undefined,
  ) {}

  /** Reads the kubeconfig the mesh was deployed with (see the file comment). */
  static forMesh(mesh: Mesh, env: NodeJS.ProcessEnv): Kubeconfig {
    return Kubeconfig.read(kubeconfigSource(mesh, env));
  }

  static read(source: KubeconfigSource): Kubeconfig {
    const clusters = new Map<string, Entry>();
    const users = new Map<string, Entry>();
    const contexts = new Map<string, Entry>();
    let current: string | undefined;
    let found = 0;
    for (const path of source.paths) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new KubeconfigError(`cannot read the kubeconfig ${path}: ${(e as Error).message}`, 'check the file and its permissions');
      }
      found++;
      let doc: Record<string, unknown>;
      try {
        doc = (parse(text) ?? {}) as Record<string, unknown>;
      } catch (e) {
        throw new KubeconfigError(`the kubeconfig ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, 'fix or regenerate the file');
      }
      const dir = dirname(path);
      collect(doc.clusters, 'cluster', dir, clusters);
      collect(doc.users, 'user', dir, users);
      collect(doc.contexts, 'context', dir, contexts);
      if (current === undefined && typeof doc['current-context'] === 'string' && doc['current-context']) current = doc['current-context'];
    }
    if (found === 0) {
      const where = source.paths.join(', ');
      const origin = { mesh: "the mesh's `kubeconfig`", KUBECONFIG: 'from KUBECONFIG', default: 'the default' }[source.from];
      throw new KubeconfigError(
        `no kubeconfig at ${where} (${origin})`,
        'create a cluster (kind and minikube write ~/.kube/config), or point KUBECONFIG, or the mesh file\'s `kubeconfig`, at the kubeconfig of the cluster you deployed to',
      );
    }
    return new Kubeconfig(source, clusters, users, contexts, current);
  }

  /** The names of every context, in the order the files define them. */
  get contextNames(): string[] {
    return [...this.contexts.keys()];
  }

  /** The files, for messages. */
  get description(): string {
    return this.source.paths.join(', ');
  }

  /** The API server URL of the cluster a context names; undefined if there is no such context or cluster. */
  serverOf(contextName: string): string | undefined {
    const cluster = this.clusters.get(String(this.contexts.get(contextName)?.cluster ?? ''));
    return typeof cluster?.server === 'string' ? cluster.server : undefined;
  }

  /** The connection of a context; undefined = the current context. */
  connection(contextName?: string): Connection {
    const name = contextName ?? this.currentContext;
    const known = [...this.contexts.keys()].join(', ') || 'none';
    if (!name) {
      throw new KubeconfigError(`the kubeconfig ${this.source.paths.join(', ')} has no current context`, `pick one with "kubectl config use-context <name>" (contexts: ${known}), or set each region's \`context\` in the mesh file`);
    }
    const context = this.contexts.get(name);
    if (!context) {
      throw new KubeconfigError(`context "${name}" is not in the kubeconfig ${this.source.paths.join(', ')}`, `contexts there: ${known}`);
    }
    const clusterName = String(context.cluster ?? '');
    const cluster = this.clusters.get(clusterName);
    if (!cluster || typeof cluster.server !== 'string') {
      throw new KubeconfigError(`context "${name}" names cluster "${clusterName}", which the kubeconfig does not define (with a server)`, 'fix the kubeconfig');
    }
    const userName = String(context.user ?? '');
    const user = this.users.get(userName) ?? { dir: cluster.dir };
    if (user.exec || user['auth-provider']) {
      throw new KubeconfigError(
        `user "${userName}" of context "${name}" gets its credentials from ${user.exec ? 'an exec plugin' : 'an auth provider'}, which these commands do not run`,
        'use a kubeconfig whose user has a token or a client certificate (e.g. a service account token from "kubectl create token")',
      );
    }
    return {
      context: name,
      user: userName,
      server: cluster.server.replace(/\/+$/, ''),
      certificateAuthority: bytes(cluster, 'certificate-authority'),
      clientCertificate: bytes(user, 'client-certificate'),
      clientKey: bytes(user, 'client-key'),
      token: typeof user.token === 'string' ? user.token : typeof user.tokenFile === 'string' ? readFileSync(resolve(user.dir, user.tokenFile), 'utf8').trim() : undefined,
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    };
  }
}

/** The kubeconfig file(s) to read for a mesh: the ones the stack deployed with, as absolute paths. */
export function kubeconfigSource(mesh: Mesh, env: NodeJS.ProcessEnv): KubeconfigSource {
  const home = env.HOME || homedir();
  const expand = (p: string) => (p === '~' || p.startsWith('~/') ? home + p.slice(1) : p);
  const source = meshKubeconfigSource(mesh.kubeconfig, env);
  return { ...source, paths: source.paths.map((p) => resolve(expand(p))) };
}

/** Adds a kubeconfig list (`clusters`, `users`, `contexts`) to `into`, keeping names already defined. */
function collect(list: unknown, key: string, dir: string, into: Map<string, Entry>): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (item && typeof item.name === 'string' && !into.has(item.name)) into.set(item.name, { ...(item[key] ?? {}), dir });
  }
}

/** `<field>-data` (base64) or `<field>` (a file, relative to the kubeconfig's directory). */
function bytes(entry: Entry, field: string): Buffer | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const file = entry[field];
  if (typeof file !== 'string') return undefined;
  const path = isAbsolute(file) ? file : resolve(entry.dir, file);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new KubeconfigError(`cannot read ${field} ${path}: ${(e as Error).message}`, 'fix the path in the kubeconfig');
  }
}
