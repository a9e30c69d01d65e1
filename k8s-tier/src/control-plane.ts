/**
 * A real Kubernetes control plane on 127.0.0.1 with no containers: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, and kwok as the kubelet of one fake node (pods become Running and Ready; nothing runs in them).
 * Binaries come from control-plane/build.sh (built once per machine from Go modules). Every port is a free one, so
 * several control planes (several "clusters") can run side by side; each is stopped by `stop()`, also on failure.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Fatal, Log, waitFor } from '../../tier-support/progress';
import { freePorts } from '../../tier-support/ports';
import { Server, stopAll } from '../../tier-support/processes';
import { Kube } from './kube';

const BUILD_SCRIPT = path.resolve(__dirname, '..', 'control-plane', 'build.sh');
const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_IP = '10.96.0.1';
const NODE_NAME = 'kwok-node-0';

/** The control plane's binaries and kwok's Stage set, building them first if this machine has none. */
export function ensureControlPlaneBinaries(log: Log): { bin: string; kwokStages: string } {
  log('control plane binaries: control-plane/build.sh (cached per machine; a cold build takes about 10 min on 2 cores)');
  const out = execFileSync('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const dir = out.trim().split('\n').pop()!;
  return { bin: path.join(dir, 'bin'), kwokStages: path.join(dir, 'kwok-stages.yaml') };
}

export interface ControlPlaneOptions {
  /** Name of the cluster, its kubeconfig context and user. */
  readonly name: string;
  /** Folder for PKI, etcd data, logs and pids (created; removed by the caller). */
  readonly runDir: string;
  readonly bin: string;
  readonly kwokStages: string;
  readonly log: Log;
}

/** A running control plane. */
export class ControlPlane {
  private constructor(
    readonly name: string,
    /** Admin kubeconfig (client certificate, system:masters) with one context named after the cluster. */
    readonly kubeconfig: string,
    readonly server: string,
    readonly kube: Kube,
    private readonly servers: Server[],
    private readonly log: Log,
  ) {}

  static async start(o: ControlPlaneOptions): Promise<ControlPlane> {
    const t0 = Date.now();
    const pki = path.join(o.runDir, 'pki');
    fs.mkdirSync(pki, { recursive: true });
    makePki(pki);
    const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort, kwokPort] = await freePorts(6);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = path.join(o.runDir, 'kubeconfig');
    writeKubeconfig(kubeconfig, o.name, server, pki, 'admin');
    for (const user of ['controller-manager', 'scheduler', 'kwok']) {
      writeKubeconfig(path.join(o.runDir, `${user}.kubeconfig`), o.name, server, pki, user);
    }
    const servers: Server[] = [];
    const start = (name: string, args: string[]) => {
      const s = Server.start({ name, runDir: o.runDir, command: path.join(o.bin, name), args });
      servers.push(s);
      return s;
    };
    const healthy = async (s: Server, what: string, url: string, ca?: string) => {
      await waitFor(`${o.name}: ${what}`, () => {
        s.assertRunning();
        return probe(url, ca);
      }, 120_000, 200);
    };
    try {
      // A throwaway cluster: etcd skips fsync.
      const etcd = start('etcd', [
        '--name', o.name, '--data-dir', path.join(o.runDir, 'etcd'),
        '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
        '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
        '--initial-cluster', `${o.name}=http://127.0.0.1:${etcdPeerPort}`,
        '--quota-backend-bytes=2147483648', '--log-level=warn', '--unsafe-no-fsync',
      ]);
      await healthy(etcd, 'etcd', `http://127.0.0.1:${etcdPort}/health`);
      const api = start('kube-apiserver', [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1', `--secure-port=${apiPort}`, '--advertise-address=127.0.0.1',
        // The `kubernetes` Service cannot get a loopback endpoint; nothing here needs one.
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${pki}/apiserver.crt`, `--tls-private-key-file=${pki}/apiserver.key`,
        `--client-ca-file=${pki}/ca.crt`,
        `--service-account-key-file=${pki}/sa.pub`, `--service-account-signing-key-file=${pki}/sa.key`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=Node,RBAC', '--allow-privileged=true', '--profiling=false', '--v=1',
      ]);
      await healthy(api, 'kube-apiserver', `${server}/readyz`, `${pki}/ca.crt`);
      const kcm = start('kube-controller-manager', [
        `--kubeconfig=${o.runDir}/controller-manager.kubeconfig`,
        `--authentication-kubeconfig=${o.runDir}/controller-manager.kubeconfig`,
        `--authorization-kubeconfig=${o.runDir}/controller-manager.kubeconfig`,
        '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`, '--leader-elect=false',
        "--controllers=*", '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki}/sa.key`, `--root-ca-file=${pki}/ca.crt`,
        `--cluster-signing-cert-file=${pki}/ca.crt`, `--cluster-signing-key-file=${pki}/ca.key`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`, '--cluster-cidr=10.244.0.0/16', '--profiling=false', '--v=1',
      ]);
      const sched = start('kube-scheduler', [
        `--kubeconfig=${o.runDir}/scheduler.kubeconfig`,
        `--authentication-kubeconfig=${o.runDir}/scheduler.kubeconfig`,
        `--authorization-kubeconfig=${o.runDir}/scheduler.kubeconfig`,
        '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false', '--profiling=false', '--v=1',
      ]);
      // kwok renews the node's Lease; without one the node-lifecycle controller marks the node Unknown after ~40 s
      // and every pod Ready=False.
      const kwok = start('kwok', [
        `--config=${o.kwokStages}`, `--kubeconfig=${o.runDir}/kwok.kubeconfig`,
        '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-lease-duration-seconds=40', '--cidr=10.244.0.1/24', '--node-ip=10.244.0.1',
        `--server-address=127.0.0.1:${kwokPort}`,
      ]);
      await healthy(kcm, 'kube-controller-manager', `https://127.0.0.1:${kcmPort}/healthz`);
      await healthy(sched, 'kube-scheduler', `https://127.0.0.1:${schedPort}/healthz`);
      await healthy(kwok, 'kwok', `http://127.0.0.1:${kwokPort}/healthz`);

      const kube = Kube.fromKubeconfig(kubeconfig);
      await kube.create('/api/v1/nodes', fakeNode());
      const alive = () => servers.forEach((s) => s.assertRunning());
      await waitFor(`${o.name}: node Ready`, async () => {
        alive();
        const node = await kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/api/v1/nodes/${NODE_NAME}`);
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      }, 120_000, 200);
      await waitFor(`${o.name}: node lease`, async () => { alive(); return kube.find(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE_NAME}`); }, 120_000, 200);
      // Pods are admitted only once the service-account controller has made the default ServiceAccount.
      await waitFor(`${o.name}: default ServiceAccount`, async () => { alive(); return kube.find('/api/v1/namespaces/default/serviceaccounts/default'); }, 120_000, 200);
      o.log(`control plane "${o.name}" ready at ${server} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return new ControlPlane(o.name, kubeconfig, server, kube, servers, o.log);
    } catch (e) {
      await stopAll([...servers].reverse());
      if (e instanceof Fatal) throw new Error(e.message);
      throw e;
    }
  }

  /** Stops every process, newest first (kwok ... etcd). */
  async stop(): Promise<void> {
    await stopAll([...this.servers].reverse());
    this.log(`control plane "${this.name}" stopped`);
  }
}

/** CA, API server serving certificate, client certificates, service-account key pair (openssl, RSA 2048). */
function makePki(dir: string): void {
  if (fs.existsSync(path.join(dir, 'ca.crt'))) return;
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-sha256', '-subj', '/CN=mesh-tier-kubernetes-ca');
  const cert = (name: string, subject: string, ext: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    ssl('req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '3650', '-sha256', '-extfile', `${name}.ext`);
    fs.rmSync(path.join(dir, `${name}.csr`));
    fs.rmSync(path.join(dir, `${name}.ext`));
  };
  const client = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
  cert('apiserver', '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      `subjectAltName=IP:127.0.0.1,IP:${SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n`);
  cert('admin', '/O=system:masters/CN=kubernetes-admin', client);
  cert('controller-manager', '/CN=system:kube-controller-manager', client);
  cert('scheduler', '/CN=system:kube-scheduler', client);
  cert('kwok', '/O=system:masters/CN=kwok-controller', client);
  ssl('genrsa', '-out', 'sa.key', '2048');
  ssl('rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.key')) fs.chmodSync(path.join(dir, f), 0o600);
}

function writeKubeconfig(file: string, name: string, server: string, pki: string, user: string): void {
  const b64 = (f: string) => fs.readFileSync(path.join(pki, f)).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64('ca.crt') } }],
    users: [{ name: `${name}-${user}`, user: { 'client-certificate-data': b64(`${user}.crt`), 'client-key-data': b64(`${user}.key`) } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-${user}` } }],
    'current-context': name,
  };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2), { mode: 0o600 });
}

function fakeNode(): unknown {
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      // kwok manages nodes with this annotation; no taint, so ordinary charts schedule onto it.
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': NODE_NAME, type: 'kwok' },
    },
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: { architecture: 'amd64', kubeletVersion: 'fake', kubeProxyVersion: 'fake', operatingSystem: 'linux' },
    },
  };
}

/** Does `url` answer 2xx? (TLS verified against `ca` when given; self-signed health endpoints are not verified.) */
function probe(url: string, ca?: string): Promise<boolean> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? require('https') : require('http');
  return new Promise((resolve) => {
    const req = mod.get(url, { timeout: 2000, ...(u.protocol === 'https:' ? (ca ? { ca: fs.readFileSync(ca) } : { rejectUnauthorized: false }) : {}) }, (res: import('http').IncomingMessage) => {
      res.resume();
      resolve((res.statusCode ?? 0) < 300);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}
