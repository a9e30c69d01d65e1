/**
 * A stand-in for what gives a cluster's Services of type LoadBalancer and its Ingresses their external addresses: a
 * cloud provider's load-balancer controller and an ingress controller. The tier's control planes have neither (no
 * cloud, no containers), so without it a Kafka with a `loadbalancer` or `ingress` listener never gets an address, and
 * Strimzi (or its stand-in) waits for one until it times out. No load balancer and no proxy exists: it only writes,
 * through the real API server, what those controllers write:
 *
 * - a Service of type LoadBalancer it is responsible for (no `spec.loadBalancerClass`, or the class it is given) gets
 *   the finalizer `service.kubernetes.io/load-balancer-cleanup` first, then `status.loadBalancer.ingress: [{ip}]`
 *   (`spec.loadBalancerIP` if set, else the next free address of its range); when such a Service is being deleted, or
 *   no longer wants a load balancer, its address is released, the status cleared and the finalizer removed. So, as
 *   with a real cloud controller, a namespace with load balancers is only deleted while it runs.
 *   (Kubernetes' service controller, k8s.io/cloud-provider v0.34.4: controllers/service/controller.go
 *   `wantsLoadBalancer`, `needsCleanup`, `syncLoadBalancerIfNeeded`, `addFinalizer`, `removeFinalizer`;
 *   service/helpers/helper.go `LoadBalancerCleanupFinalizer`.)
 * - an Ingress of one of its ingress classes gets `status.loadBalancer.ingress: [{ip}]` with the controller's own
 *   address, the same for all its Ingresses (as ingress-nginx publishes the address of its Service).
 *
 * The addresses come from a documentation range (RFC 5737) given per cluster: nothing ever connects to them.
 */
import { setMaxListeners } from 'events';
import { ApiError, Kube, KubeObject, WatchEvent } from './kube';

export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

export interface LoadBalancerStandInOptions {
  /** The first three octets of the /24 it hands addresses out of, e.g. "198.51.100": .1 is the ingress controller's, Services get .2 upwards. */
  subnet: string;
  /** The `spec.loadBalancerClass` it implements. @default - Services without a class, as a cloud provider's controller */
  loadBalancerClass?: string;
  /** The ingress classes it serves as their ingress controller. @default ['nginx'] */
  ingressClasses?: string[];
  log?: (m: string) => void;
}

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };

export interface LoadBalancerEvent {
  at: number;
  kind: 'Service' | 'Ingress';
  namespace: string;
  name: string;
  event: 'address-assigned' | 'address-released';
  address?: string;
}

const COLLECTIONS = { Service: '/api/v1/services', Ingress: '/apis/networking.k8s.io/v1/ingresses' } as const;
type Kind = keyof typeof COLLECTIONS;

export class LoadBalancerStandIn {
  readonly timeline: LoadBalancerEvent[] = [];
  /** Service key (`ns/name`) -> its address. */
  private readonly assigned = new Map<string, string>();
  private readonly abort = new AbortController();
  private readonly watches: Promise<void>[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Map<string, Obj>();
  private readonly log: (m: string) => void;
  private stopped = false;

  constructor(
    private readonly kube: Kube,
    private readonly options: LoadBalancerStandInOptions,
  ) {
    if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(options.subnet)) throw new Error(`subnet must be three octets such as 198.51.100, got ${options.subnet}`);
    this.log = options.log ?? ((m) => process.stdout.write(`[load-balancer-stand-in ${new Date().toISOString()}] ${m}\n`));
    setMaxListeners(0, this.abort.signal);
  }

  /** The address every Ingress of its classes gets. */
  get ingressAddress(): string {
    return `${this.options.subnet}.1`;
  }

  /** Lists and watches Services and Ingresses in every namespace; resolves once the first lists are in. */
  async start(): Promise<void> {
    const listed: Promise<void>[] = [];
    for (const kind of Object.keys(COLLECTIONS) as Kind[]) {
      let done!: () => void;
      listed.push(new Promise<void>((r) => (done = r)));
      this.watches.push(this.watchLoop(kind, done));
    }
    await Promise.all(listed);
    this.log(`started (addresses ${this.options.subnet}.0/24, ingress classes ${(this.options.ingressClasses ?? ['nginx']).join(', ')})`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    await Promise.allSettled(this.watches);
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
    this.log('stopped');
  }

  private async watchLoop(kind: Kind, listed: () => void): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        const list = await this.kube.list<Obj>(COLLECTIONS[kind]);
        // Addresses already assigned (a restart) stay theirs.
        if (kind === 'Service') for (const s of list.items) if (this.ownAddress(s)) this.assigned.set(key(s), this.ownAddress(s)!);
        for (const o of list.items) this.schedule(kind, o);
        listed();
        backoff = 500;
        let version = list.metadata.resourceVersion;
        while (!this.stopped) {
          await this.kube.watch<Obj>(COLLECTIONS[kind], version, (e: WatchEvent<Obj>) => {
            if (e.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(e.object)}`);
            version = e.object.metadata?.resourceVersion ?? version;
            if (e.type === 'ADDED' || e.type === 'MODIFIED') this.schedule(kind, e.object);
            if (e.type === 'DELETED' && kind === 'Service') this.release(e.object);
          }, this.abort.signal);
        }
      } catch (e) {
        if (this.stopped) break;
        this.log(`watch of ${kind}s: ${(e as Error).message.replace(/\s+/g, ' ')}; listing again`);
        await new Promise((r) => setTimeout(r, (backoff = Math.min(backoff * 2, 5000))));
      }
    }
    listed();
  }

  /** One reconcile per object at a time; a change meanwhile queues one more with the newest object. */
  private schedule(kind: Kind, obj: Obj): void {
    if (this.stopped) return;
    const k = `${kind}/${key(obj)}`;
    if (this.running.has(k)) {
      this.dirty.set(k, obj);
      return;
    }
    const run = (async () => {
      let next: Obj | undefined = obj;
      while (next && !this.stopped) {
        this.dirty.delete(k);
        try {
          await (kind === 'Service' ? this.reconcileService(next) : this.reconcileIngress(next));
        } catch (e) {
          const conflict = e instanceof ApiError && e.status === 409;
          if (!this.stopped && !conflict) this.log(`${k}: ${(e as Error).message}`);
          if (!(e instanceof ApiError && e.status === 404) && !this.dirty.has(k)) {
            // A conflict is retried at once with the object as it is now; anything else a second later.
            if (!conflict) await new Promise((r) => setTimeout(r, 1000));
            const fresh = await this.kube.find<Obj>(`${kind === 'Service' ? '/api/v1' : '/apis/networking.k8s.io/v1'}/namespaces/${obj.metadata.namespace}/${kind === 'Service' ? 'services' : 'ingresses'}/${obj.metadata.name}`).catch(() => next);
            if (fresh && !this.dirty.has(k)) this.dirty.set(k, fresh);
          }
        }
        next = this.dirty.get(k);
      }
    })().finally(() => this.running.delete(k));
    this.running.set(k, run);
  }

  /** controller.go wantsLoadBalancer: type LoadBalancer and (for the default controller) no loadBalancerClass. */
  private wantsLoadBalancer(s: Obj): boolean {
    return s.spec?.type === 'LoadBalancer' && (s.spec?.loadBalancerClass ?? undefined) === this.options.loadBalancerClass;
  }

  private ownAddress(s: Obj): string | undefined {
    const ingress: { ip?: string }[] = s.status?.loadBalancer?.ingress ?? [];
    return ingress.map((i) => i.ip).find((ip) => ip?.startsWith(`${this.options.subnet}.`));
  }

  private async reconcileService(s: Obj): Promise<void> {
    const path = `/api/v1/namespaces/${s.metadata.namespace}/services/${s.metadata.name}`;
    const finalizers = s.metadata.finalizers ?? [];
    if (!this.wantsLoadBalancer(s) || s.metadata.deletionTimestamp) {
      // needsCleanup: only what this controller set up (its finalizer) is cleaned up.
      if (!finalizers.includes(LOAD_BALANCER_CLEANUP_FINALIZER)) return;
      if (this.ownAddress(s)) await this.kube.replace(`${path}/status`, { ...s, status: { ...s.status, loadBalancer: {} } });
      this.release(s);
      const fresh = (await this.kube.find<Obj>(path)) ?? undefined;
      if (!fresh) return;
      await this.kube.mergePatch(path, { metadata: { resourceVersion: fresh.metadata.resourceVersion, finalizers: (fresh.metadata.finalizers ?? []).filter((f) => f !== LOAD_BALANCER_CLEANUP_FINALIZER) } });
      return;
    }
    let current = s;
    if (!finalizers.includes(LOAD_BALANCER_CLEANUP_FINALIZER)) {
      // The finalizer comes before the load balancer.
      current = await this.kube.mergePatch<Obj>(path, { metadata: { resourceVersion: s.metadata.resourceVersion, finalizers: [...finalizers, LOAD_BALANCER_CLEANUP_FINALIZER] } });
    }
    const address = this.addressFor(current);
    const ingress: { ip?: string }[] = current.status?.loadBalancer?.ingress ?? [];
    if (ingress.length === 1 && ingress[0].ip === address) return;
    await this.kube.replace(`${path}/status`, { ...current, status: { ...current.status, loadBalancer: { ingress: [{ ip: address, ipMode: 'VIP' }] } } });
    this.timeline.push({ at: Date.now(), kind: 'Service', namespace: s.metadata.namespace!, name: s.metadata.name, event: 'address-assigned', address });
    this.log(`Service ${key(s)}: load balancer at ${address}`);
  }

  /** spec.loadBalancerIP when the user asks for one, else the address it already has, else the lowest free one from .2. */
  private addressFor(s: Obj): string {
    const k = key(s);
    const wanted: string | undefined = s.spec?.loadBalancerIP || undefined;
    if (wanted) {
      this.assigned.set(k, wanted);
      return wanted;
    }
    const had = this.assigned.get(k);
    if (had) return had;
    const used = new Set(this.assigned.values());
    for (let i = 2; i < 255; i++) {
      const ip = `${this.options.subnet}.${i}`;
      if (!used.has(ip)) {
        this.assigned.set(k, ip);
        return ip;
      }
    }
    throw new Error(`no free address left in ${this.options.subnet}.0/24`);
  }

  private release(s: Obj): void {
    const address = this.assigned.get(key(s));
    if (!address) return;
    this.assigned.delete(key(s));
    this.timeline.push({ at: Date.now(), kind: 'Service', namespace: s.metadata.namespace!, name: s.metadata.name, event: 'address-released', address });
  }

  private async reconcileIngress(i: Obj): Promise<void> {
    if (i.metadata.deletionTimestamp || !(this.options.ingressClasses ?? ['nginx']).includes(i.spec?.ingressClassName)) return;
    const ingress: { ip?: string }[] = i.status?.loadBalancer?.ingress ?? [];
    if (ingress.length === 1 && ingress[0].ip === this.ingressAddress) return;
    const path = `/apis/networking.k8s.io/v1/namespaces/${i.metadata.namespace}/ingresses/${i.metadata.name}/status`;
    await this.kube.replace(path, { ...i, status: { loadBalancer: { ingress: [{ ip: this.ingressAddress }] } } });
    this.timeline.push({ at: Date.now(), kind: 'Ingress', namespace: i.metadata.namespace!, name: i.metadata.name, event: 'address-assigned', address: this.ingressAddress });
    this.log(`Ingress ${key(i)}: published at ${this.ingressAddress}`);
  }
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
