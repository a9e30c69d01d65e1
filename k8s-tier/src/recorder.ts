/**
 * Records, to the millisecond, when each object of interest first appeared in a cluster and when it went away, by
 * watching the API server (creationTimestamp has whole seconds only, too coarse to order a deploy). Collections whose
 * CRD does not exist yet are retried until it does.
 */
import { setMaxListeners } from 'events';
import { Log, sleep } from '../../tier-support/progress';
import { ApiError, Kube, KubeObject } from './kube';

/** A watched collection, cluster-wide: `/api/v1/namespaces`, `/apis/kafka.strimzi.io/v1/kafkas`, ... */
export interface Collection {
  readonly kind: string;
  readonly path: string;
}

export interface Sighting {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly added: number;
  deleted?: number;
}

export class Recorder {
  private readonly seen = new Map<string, Sighting>();
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly kube: Kube, private readonly log: Log) {}

  static key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? ''}/${name}`;
  }

  start(collections: readonly Collection[]): void {
    // One abort signal for every watch (each request adds a listener).
    setMaxListeners(4 * collections.length + 10, this.abort.signal);
    for (const c of collections) this.loops.push(this.follow(c));
  }

  /** When the object first appeared (ms epoch), or undefined. */
  added(kind: string, namespace: string | undefined, name: string): number | undefined {
    return this.seen.get(Recorder.key(kind, namespace, name))?.added;
  }

  get sightings(): readonly Sighting[] {
    return [...this.seen.values()];
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async follow(c: Collection): Promise<void> {
    let resourceVersion: string | undefined;
    while (!this.abort.signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          const list = await this.kube.list(c.path);
          for (const o of list.items) this.note(c.kind, o, 'ADDED');
          resourceVersion = list.metadata.resourceVersion;
        }
        await this.kube.watch(c.path, resourceVersion, (e) => {
          if (e.type === 'ERROR') {
            resourceVersion = undefined; // e.g. 410 Gone: list again
            return;
          }
          resourceVersion = e.object.metadata.resourceVersion ?? resourceVersion;
          if (e.type !== 'BOOKMARK') this.note(c.kind, e.object, e.type);
        }, this.abort.signal);
      } catch (e) {
        if (this.abort.signal.aborted) return;
        // 404: the CRD is not there yet; 429: its storage is still starting. Anything else: say so. Then list again.
        if (!(e instanceof ApiError && (e.status === 404 || e.status === 429))) this.log(`recorder: ${c.kind}: ${(e as Error).message}`);
        resourceVersion = undefined;
        await sleep(300);
      }
    }
  }

  private note(kind: string, o: KubeObject, type: string): void {
    const key = Recorder.key(kind, o.metadata.namespace, o.metadata.name);
    const now = Date.now();
    const known = this.seen.get(key);
    if (type === 'DELETED') {
      if (known) known.deleted = now;
    } else if (!known || known.deleted !== undefined) {
      this.seen.set(key, { kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, added: now });
    }
  }
}
