/**
 * The Ready wait's script (constructs/ready-wait.ts) run as Terraform runs it (`sh -c`, the synthesized environment),
 * against a fake `kubectl` on PATH that prints what a cluster would answer: kubectl's real error texts, and the
 * jsonpath output of the objects' statuses.
 */
import { execFileSync, spawn } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { readyManifest } from '../constructs/manifest';
import { WAIT_SCRIPT } from '../constructs/ready-wait';
import { demoMesh, manifestOf, readyWaitOf, synthMesh } from './support/synth';

const mesh = demoMesh();
const m = synthMesh(mesh).mesh.json;
const region = mesh.regions[0].name;
const kafkaWait = readyWaitOf(m, manifestOf(m, 'Kafka', region, region)).resource;
const poolWait = readyWaitOf(m, manifestOf(m, 'KafkaNodePool', region, 'dual-role')).resource;
const local = (wait: typeof kafkaWait) => wait.provisioner[0]['local-exec'];
/** The script a wait runs: the stack's one local that every wait's command reads. */
const scriptOf = (wait: typeof kafkaWait): string => {
  const ref = /^\$\{local\.([\w-]+)\}$/.exec(local(wait).command);
  if (!ref) throw new Error(`the wait's command is not a reference to a local: ${local(wait).command.slice(0, 80)}`);
  return (m as any).locals[ref[1]];
};

// The tools the script uses besides kubectl; PATH holds only these, so no real kubectl is ever reached.
const TOOLS = ['sh', 'date', 'sleep', 'sed', 'grep', 'awk', 'printenv', 'cat', 'mkdir'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  calls: string[];
}

/**
 * Runs the synthesized wait with `env` over the synthesized one; `kubectl` is a sh script whose body sees `$n`, the
 * number of this call (1, 2, ...), and its arguments; `undefined` leaves kubectl off PATH.
 */
async function runWait(wait: typeof kafkaWait, kubectl: string | undefined, env: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'ready-wait-'));
  try {
    const bin = join(dir, 'bin');
    execFileSync('mkdir', [bin]);
    for (const tool of TOOLS) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim(), join(bin, tool));
    if (kubectl !== undefined) {
      const calls = join(dir, 'calls');
      writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nn=$(grep -c . '${calls}')\n${kubectl}\n`);
      chmodSync(join(bin, 'kubectl'), 0o755);
    }
    // The recorded cluster UID is a reference Terraform resolves at apply; here the cluster check is the test's to give.
    const { WAIT_CLUSTER_UID: _recorded, ...synthesized } = local(wait).environment as Record<string, string>;
    const started = Date.now();
    const child = spawn(join(bin, 'sh'), ['-c', scriptOf(wait)], {
      env: { ...synthesized, KUBECONFIG: '/home/me/.kube/config', WAIT_CONTEXT: 'kind-east', PATH: bin, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    let calls: string[] = [];
    try {
      calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    } catch {
      // kubectl never ran
    }
    return { code, stdout, stderr, seconds: (Date.now() - started) / 1000, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fake kubectl answering by the resource the call names (a `case` on its arguments). */
const answers = (cases: Record<string, string>, otherwise = 'echo "unexpected call: $*" >&2; exit 2') =>
  `case "$*" in\n${Object.entries(cases).map(([pattern, body]) => `  ${pattern}) ${body} ;;`).join('\n')}\n  *) ${otherwise} ;;\nesac`;

const READY = 'printf \'3;3;True\\n\'';
const STORAGE_REFUSED = `The desired Kafka storage configuration in the KafkaNodePool resource ${region}/dual-role contains changes which are not allowed. As a result, all storage changes will be ignored. Use DEBUG level logging for more information about the detected changes.`;
const SCALE_DOWN = 'Reverting scale-down of KafkaNodePool dual-role by changing number of replicas to 3';

describe('the synthesized wait', () => {
  test('is the script, unchanged by Terraform (no "${" or "%{"), checking the cluster its stack recorded', () => {
    // One copy per stack: every wait's command reads the same local.
    expect(scriptOf(kafkaWait)).toBe(WAIT_SCRIPT);
    expect(local(poolWait).command).toBe(local(kafkaWait).command);
    expect(WAIT_SCRIPT).not.toMatch(/\$\{|%\{/);
    // Every wait of the stacks checks the cluster identity its provider's stack recorded (cluster-identity.ts).
    expect(local(kafkaWait).environment.WAIT_CLUSTER_UID).toMatch(/^\$\{terraform_data\.providers_cluster-identity(-ctx_[a-z_]+)?_record_[0-9A-F]{8}\.output\}$/);
    expect(local(poolWait).environment).toMatchObject({ WAIT_FOR: 'pool', WAIT_RESOURCE: 'kafkanodepools.kafka.strimzi.io', WAIT_NAME: 'dual-role', WAIT_KAFKA: region });
  });
});

describe('kubectl errors', () => {
  // kubectl's texts for each: the wait must not take them for "not Ready yet". (The unknown context and the unreadable
  // kubeconfig as kubectl v1.34.4 prints them, seen; the server errors in kubectl's "Error from server (<reason>)" form.)
  test.each([
    ['403', 'Error from server (Forbidden): kafkas.kafka.strimzi.io "x" is forbidden: User "dev" cannot get resource "kafkas" in API group "kafka.strimzi.io" in the namespace "x"', 'grant them get on kafkas.kafka.strimzi.io'],
    ['401', 'error: You must be logged in to the server (Unauthorized)', 'log in again'],
    ['unknown resource type', 'error: the server doesn\'t have a resource type "kafkas"', "operator stack (Strimzi's CRDs)"],
    ['unknown context', 'Error in configuration: context was not found for specified context: kind-east', 'fix KUBECONFIG or the region\'s context'],
    ['unreadable kubeconfig', 'error: error loading config file "/home/me/.kube/config": yaml: line 1: did not find expected \',\' or \']\'', 'fix KUBECONFIG or the region\'s context'],
  ])('%s: fails at once with kubectl\'s message and what to do', async (_what, error, advice) => {
    const run = await runWait(kafkaWait, `echo '${error.replace(/'/g, "'\\''")}' >&2; exit 1`);
    expect(run.code).toBe(1);
    expect(run.seconds).toBeLessThan(5);
    expect(run.calls).toHaveLength(1);
    expect(run.stderr).toContain(error);
    expect(run.stderr).toContain(advice);
    expect(run.stderr).toContain('context kind-east of KUBECONFIG=/home/me/.kube/config');
  });

  test('no kubectl on PATH: fails at once and says to install it', async () => {
    const run = await runWait(kafkaWait, undefined);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('kubectl is not on PATH');
  });

  test('transient errors are retried: connection refused, a timeout, NotFound before the object is seen, 503, 429; every call bounded and on the context', async () => {
    const run = await runWait(
      kafkaWait,
      [
        'case $n in',
        '  1) echo "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?" >&2; exit 1 ;;',
        '  2) echo "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)" >&2; exit 1 ;;',
        `  3) echo 'Error from server (NotFound): kafkas.kafka.strimzi.io "${region}" not found' >&2; exit 1 ;;`,
        '  4) echo "Error from server (ServiceUnavailable): the server is currently unable to handle the request" >&2; exit 1 ;;',
        '  5) echo "Error from server (TooManyRequests): the server has received too many requests and has asked us to try again later" >&2; exit 1 ;;',
        `  *) ${READY} ;;`,
        'esac',
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`kafkas.kafka.strimzi.io ${region}/${region}: Ready (generation 3)`);
    expect(run.calls).toHaveLength(6);
    for (const call of run.calls) expect(call).toMatch(/^--request-timeout=\d+s --context kind-east /);
  }, 30_000);

  test('an error that never clears runs out at the deadline, naming the last error', async () => {
    const run = await runWait(kafkaWait, 'echo "The connection to the server 127.0.0.1:6443 was refused" >&2; exit 1', { WAIT_TIMEOUT_SECONDS: '3' });
    expect(run.code).toBe(1);
    expect(run.seconds).toBeGreaterThanOrEqual(3);
    expect(run.calls.length).toBeGreaterThanOrEqual(2);
    expect(run.stderr).toContain('not Ready for its latest generation after 3 s (The connection to the server 127.0.0.1:6443 was refused');
  }, 30_000);
});

describe('Ready for the current generation', () => {
  test("a previous generation's Ready does not pass", async () => {
    const run = await runWait(kafkaWait, answers({ '*"{.status.conditions}"*': 'echo "[]"', '*get*': "printf '3;2;True\\n'" }), { WAIT_TIMEOUT_SECONDS: '3' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('(generation 3, observedGeneration 2, Ready=True; conditions: [])');
  }, 30_000);

  test("a harmless Warning (one broker on ephemeral storage, Strimzi's KafkaSpecChecker) does not stop it", async () => {
    const run = await runWait(kafkaWait, `printf '3;3;True\\nKafkaStorage: A Kafka cluster with a single broker node and ephemeral storage will lose topic messages after any restart or rolling update.\\nKafkaDefaultReplicationFactor: default.replication.factor option is not configured.\\n'`);
    expect(run.code).toBe(0);
  });
});

describe('changes Strimzi refused', () => {
  const kafkaWithWarning = (warning: string, pools: string) =>
    answers({
      '*"{.status.conditions}"*': 'echo "[...]"',
      '*" get kafkas.kafka.strimzi.io "*': `printf '%s\\n' '3;3;True' '${warning}'`,
      '*" get kafkanodepools.kafka.strimzi.io -l "*': `printf '%s\\n' '${pools}'`,
    });

  test("the Kafka: a storage change refused for the pool's current generation fails at once with Strimzi's message", async () => {
    const run = await runWait(kafkaWait, kafkaWithWarning(`KafkaStorage: ${STORAGE_REFUSED}`, `5;5;3;3;${STORAGE_REFUSED}`));
    expect(run.code).toBe(1);
    expect(run.seconds).toBeLessThan(5);
    expect(run.stderr).toContain(`Strimzi refused a requested change and reverted it (generation 3): KafkaStorage: ${STORAGE_REFUSED}`);
    expect(run.stderr).toContain('undo that change in the mesh file');
  });

  test('the Kafka: a scale-down refused (its pool keeps its nodes) fails at once', async () => {
    const run = await runWait(kafkaWait, kafkaWithWarning(`ScaleDownPreventionCheck: ${SCALE_DOWN}`, '6;6;2;3;'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ScaleDownPreventionCheck: ${SCALE_DOWN}`);
  });

  test("the Kafka: a refusal no pool shows any more (the last reconcile's, the change undone) is waited out, not failed", async () => {
    const run = await runWait(kafkaWait, kafkaWithWarning(`ScaleDownPreventionCheck: ${SCALE_DOWN}`, '7;7;3;3;'), { WAIT_TIMEOUT_SECONDS: '3' });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('Strimzi refused');
    expect(run.stderr).toContain('not Ready for its latest generation after 3 s');
  }, 30_000);

  test('a pool: a storage change refused for its current generation fails at once', async () => {
    const run = await runWait(poolWait, `printf '%s\\n' '5;5;3;3' 'KafkaStorage: ${STORAGE_REFUSED}'`);
    expect(run.code).toBe(1);
    expect(run.seconds).toBeLessThan(5);
    expect(run.stderr).toContain(`kafkanodepools.kafka.strimzi.io ${region}/dual-role: Strimzi refused a requested change and reverted it (generation 5): KafkaStorage: ${STORAGE_REFUSED}`);
  });

  test('a pool: the Warning of a previous generation is not taken for the current one', async () => {
    const run = await runWait(poolWait, answers({ '*"{.status.conditions}"*': 'echo "[...]"', '*get*': `printf '%s\\n' '6;5;3;3' 'KafkaStorage: ${STORAGE_REFUSED}'` }), { WAIT_TIMEOUT_SECONDS: '3' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not reconciled for its latest generation after 3 s (generation 6, observedGeneration 5');
  }, 30_000);

  test("a pool: a scale-down Strimzi kept back waits for the Kafka's reason, then fails with it", async () => {
    const run = await runWait(
      poolWait,
      answers({
        '*" get kafkanodepools.kafka.strimzi.io "*': "printf '%s\\n' '6;6;2;3'",
        // The Kafka's status comes at the end of Strimzi's reconcile: the first read has no reason yet.
        '*" get kafkas.kafka.strimzi.io "*': `if [ $n -le 2 ]; then echo; else printf '%s\\n' 'ScaleDownPreventionCheck: ${SCALE_DOWN}' 'ScaleDownPreventionCheck: Reverting scale-down of KafkaNodePool other by changing number of replicas to 3'; fi`,
      }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Strimzi refused a requested change and reverted it (generation 6): ScaleDownPreventionCheck: ${SCALE_DOWN}`);
    expect(run.stderr).not.toContain('KafkaNodePool other');
    expect(run.calls.filter((c) => c.includes(` get kafkas.kafka.strimzi.io ${region} `))).toHaveLength(2);
  }, 30_000);

  test('a pool reconciled for its generation with its replicas passes', async () => {
    const run = await runWait(poolWait, "printf '%s\\n' '6;6;3;3'");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('reconciled (generation 6, 3 replicas)');
  });
});

describe('the cluster it reaches', () => {
  const cluster = answers({ '*"get namespace kube-system"*': 'printf uid-of-b', '*get*': READY });

  test('WAIT_CLUSTER_UID not the reached cluster: refuses, naming the context, KUBECONFIG and both UIDs, and reads nothing else', async () => {
    const run = await runWait(kafkaWait, cluster, { WAIT_CLUSTER_UID: 'uid-of-a' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('context kind-east of KUBECONFIG=/home/me/.kube/config reaches the cluster whose kube-system namespace has UID uid-of-b, but the object was deployed to the one with UID uid-of-a');
    expect(run.calls).toHaveLength(1);
  });

  test('the right cluster: waits as usual', async () => {
    const run = await runWait(kafkaWait, cluster, { WAIT_CLUSTER_UID: 'uid-of-b' });
    expect(run.code).toBe(0);
    expect(run.calls[0]).toContain('get namespace kube-system -o jsonpath={.metadata.uid}');
  });
});

describe('Deployments', () => {
  const wait = readyWaitOf(m, manifestOf(m, 'Deployment', region, 'producer')).resource;

  test('polls kubectl rollout status until the rollout is complete', async () => {
    const run = await runWait(wait, 'if [ $n -le 1 ]; then echo \'Waiting for deployment "producer" rollout to finish: 0 of 1 updated replicas are available...\'; else echo \'deployment "producer" successfully rolled out\'; fi');
    expect(run.code).toBe(0);
    expect(run.calls).toHaveLength(2);
    expect(run.calls[0]).toContain(`--namespace ${region} rollout status deployment/producer --watch=false`);
  }, 30_000);

  test('a rollout past its progress deadline fails at once', async () => {
    const run = await runWait(wait, 'echo \'error: deployment "producer" exceeded its progress deadline\' >&2; exit 1');
    expect(run.code).toBe(1);
    expect(run.calls).toHaveLength(1);
    expect(run.stderr).toContain('exceeded its progress deadline');
  });
});

describe('clusterUid', () => {
  test('without a recorded identity and none given: no check', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const provider = new KubernetesProvider(scope, 'k8s', { configPaths: ['~/.kube/config'] });
        readyManifest(scope, 'topic', { provider, object: { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 't', namespace: 'east' } }, waitFor: 'ready', timeoutSeconds: 60 });
      }),
    );
    const [wait] = Object.values(json.resource.terraform_data) as any[];
    expect(wait.provisioner[0]['local-exec'].environment).not.toHaveProperty('WAIT_CLUSTER_UID');
  });
  test('given, the wait carries it as WAIT_CLUSTER_UID (and the script checks it, above)', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const provider = new KubernetesProvider(scope, 'k8s', { configPaths: ['~/.kube/config'], configContext: 'east' });
        readyManifest(scope, 'topic', {
          provider,
          object: { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 't', namespace: 'east' } },
          waitFor: 'ready',
          timeoutSeconds: 60,
          clusterUid: '4f0c1a2e-uid',
        });
      }),
    );
    const [wait] = Object.values(json.resource.terraform_data) as any[];
    expect(wait.provisioner[0]['local-exec'].environment).toMatchObject({ WAIT_CLUSTER_UID: '4f0c1a2e-uid', WAIT_CONTEXT: 'east' });
  });
});
