/**
 * The demo apps' scripts, run for real with bash: the order generator and the client configuration.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { APP_FILES } from '../constructs/demo-apps';
import { demoMesh, manifestOf, synthMesh, terraformString } from './support/synth';

const APPS = join(__dirname, '..', 'apps');
const run = (script: string, env: Record<string, string>, args: string[] = []) =>
  spawnSync('bash', [join(APPS, script), ...args], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });

describe('orders.sh', () => {
  const warehouses = ['São Paulo', 'Buenos Aires', 'Lima', 'Bogotá', 'La Paz'];
  const result = run('orders.sh', { REGION_CODE: 'SA', WAREHOUSES: warehouses.join('|'), ORDER_INTERVAL_SECONDS: '0', ORDER_COUNT: '50' });
  const lines = result.stdout.trim().split('\n');
  const orders = lines.map((line) => {
    const [key, value] = line.split('\t');
    return { key, order: JSON.parse(value) };
  });

  test('prints ORDER_COUNT orders as "<id><TAB><json>" and stops', () => {
    expect(result.status).toBe(0);
    expect(lines).toHaveLength(50);
    for (const { key, order } of orders) expect(key).toBe(order.id);
  });

  test('orders have the original fields, localised to the region', () => {
    for (const { order } of orders) {
      expect(Object.keys(order)).toEqual(['id', 'customer', 'customerid', 'description', 'price', 'quantity', 'region', 'warehouse', 'ordertime']);
      expect(order.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(order.customerid).toMatch(/^[0-9a-f-]{36}$/);
      expect(order.customer).toMatch(/^(Mr|Ms|Mrs|Dr|Mx)\. \S+ \S+$/);
      expect(order.description).toMatch(/^(XS|S|M|L|XL|XXL) \S+ \S+ \S+$/);
      expect(typeof order.price).toBe('number');
      expect(order.price).toBeGreaterThanOrEqual(10);
      expect(order.quantity).toBeGreaterThanOrEqual(1);
      expect(order.quantity).toBeLessThanOrEqual(10);
      expect(order.region).toBe('SA');
      expect(warehouses).toContain(order.warehouse);
      expect(order.ordertime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    }
  });

  test('orders are random: unique ids, several warehouses', () => {
    expect(new Set(orders.map((o) => o.key)).size).toBe(50);
    expect(new Set(orders.map((o) => o.order.warehouse)).size).toBeGreaterThan(1);
  });

  test('quotes in localisation data stay valid JSON', () => {
    const r = run('orders.sh', { REGION_CODE: 'X"Y', WAREHOUSES: 'The "Big" One\\', ORDER_INTERVAL_SECONDS: '0', ORDER_COUNT: '1' });
    const order = JSON.parse(r.stdout.split('\t')[1]);
    expect([order.region, order.warehouse]).toEqual(['X"Y', 'The "Big" One\\']);
  });

  test('refuses to run without its region', () => {
    const r = run('orders.sh', { WAREHOUSES: 'Lima' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('REGION_CODE is required');
  });
});

describe('client-config.sh', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'client-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const config = (env: Record<string, string>) => {
    const file = join(dir, 'client.properties');
    const r = spawnSync('bash', ['-c', `source ${join(APPS, 'client-config.sh')} && write_client_config ${file}`], {
      env: { PATH: process.env.PATH!, ...env },
      encoding: 'utf8',
    });
    return { status: r.status, stderr: r.stderr, text: r.status === 0 ? readFileSync(file, 'utf8') : '' };
  };

  test('in the cluster: SCRAM-SHA-512 over TLS, trusting the cluster CA', () => {
    const { text } = config({ KAFKA_USERNAME: 'producer', KAFKA_PASSWORD: 'secret', CA_CERT: '/etc/kafka-ca/ca.crt' });
    expect(text.split('\n')).toEqual([
      'security.protocol=SASL_SSL',
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=/etc/kafka-ca/ca.crt',
      'sasl.mechanism=SCRAM-SHA-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="producer" password="secret";',
      '',
    ]);
  });

  test('a password with quotes stays one JAAS value', () => {
    const { text } = config({ KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'a"b\\c', CA_CERT: '/ca.crt' });
    expect(text).toContain('password="a\\"b\\\\c";');
  });

  test('without a CA (local test brokers only) it still authenticates', () => {
    expect(config({ KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p' }).text).toMatch(/^security\.protocol=SASL_PLAINTEXT\nsasl\.mechanism=SCRAM-SHA-512\n/);
  });

  test('refuses to write a config without credentials', () => {
    const r = config({ KAFKA_USERNAME: 'u' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('KAFKA_PASSWORD is required');
  });
});

describe('produce.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'produce-'));
    // a stand-in kafka-console-producer that prints its arguments and the lines it reads
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'kafka-console-producer.sh'), '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\ncat >/dev/null\n', { mode: 0o755 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const args = (env: Record<string, string> = {}) => {
    const r = run('produce.sh', { KAFKA_HOME: dir, BOOTSTRAP_SERVERS: 'b:9093', TOPIC: 'LH.ORDERS', KAFKA_USERNAME: 'producer', KAFKA_PASSWORD: 'p', REGION_CODE: 'EU', WAREHOUSES: 'Antwerp', ORDER_COUNT: '1', ORDER_INTERVAL_SECONDS: '0', ...env });
    expect(r.status).toBe(0);
    return r.stdout.trim().split('\n');
  };
  const valueOf = (a: string[], option: string) => a[a.indexOf(option) + 1];

  test('compresses with zstd, through --compression-codec (the console producer ignores a compression.type property)', () => {
    const a = args();
    expect(valueOf(a, '--compression-codec')).toBe('zstd');
    expect(a.filter((x) => /compression\.type/.test(x))).toEqual([]);
    expect(valueOf(a, '--topic')).toBe('LH.ORDERS');
  });

  test('COMPRESSION_CODEC picks another codec', () => {
    expect(valueOf(args({ COMPRESSION_CODEC: 'none' }), '--compression-codec')).toBe('none');
  });
});

test('the pods run exactly the scripts in apps/ (mounted from the ConfigMap)', () => {
  const { mesh } = synthMesh(demoMesh());
  const configMap = manifestOf(mesh.json, 'ConfigMap', 'europe', 'loosehanger-apps');
  expect(Object.keys(configMap.object.data).sort()).toEqual([...APP_FILES].sort());
  // As Terraform reads them: the scripts' own ${...} are escaped in the JSON, not taken for Terraform templates.
  for (const file of APP_FILES) expect(terraformString(configMap.object.data[file])).toBe(readFileSync(join(APPS, file), 'utf8'));
  expect(configMap.object.data['orders.sh']).toContain('$${REGION_CODE:?');
  const producer = manifestOf(mesh.json, 'Deployment', 'europe', 'producer').object.spec.template.spec.containers[0];
  expect(producer.command).toEqual(['bash', '/opt/loosehanger/produce.sh']);
});
