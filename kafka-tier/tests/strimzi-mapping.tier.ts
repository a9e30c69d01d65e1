/**
 * The operator mappings of kafka-tier/src/strimzi.ts on a small KafkaMirrorMaker2 and KafkaUser (no Kafka needed):
 * what Strimzi 1.2.0 generates, checked key by key.
 */
import { brokerCertSans, brokerListenerConfig, connectWorkerProperties, ExternalPlatform, externalListenerAddresses, KafkaListener, mirrorConnectors, userAcls } from '../src/strimzi';
import type { Manifest } from '../src/synth';

const mm2: Manifest = {
  apiVersion: 'kafka.strimzi.io/v1',
  kind: 'KafkaMirrorMaker2',
  metadata: { name: 'mm', namespace: 'eu' },
  spec: {
    replicas: 1,
    target: {
      alias: 'europe', bootstrapServers: 'eu-kafka-bootstrap.eu.svc:9093', groupId: 'g', configStorageTopic: 'c', offsetStorageTopic: 'o', statusStorageTopic: 's',
      tls: { trustedCertificates: [{ secretName: 'eu-cluster-ca-cert', certificate: 'ca.crt' }] },
      authentication: { type: 'scram-sha-512', username: 'mm2', passwordSecret: { secretName: 'mm2', password: 'password' } },
      config: { 'config.storage.replication.factor': 3, 'ssl.truststore.location': '/nope', 'ssl.protocol': 'TLSv1.3', 'bootstrap.servers': 'x:1' },
    },
    mirrors: [{
      source: {
        alias: 'na', bootstrapServers: 'na-kafka-bootstrap.na.svc:9093',
        authentication: { type: 'scram-sha-512', username: 'mirror-source', passwordSecret: { secretName: 'mirror-sources', password: 'na.password' } },
        config: { 'consumer.fetch.max.wait.ms': 100 },
      },
      sourceConnector: { tasksMax: 2, config: { 'replication.factor': 3, 'tasks.max': 9, name: 'x' } },
      topicsPattern: 'LH\\.ORDERS|LH\\.DOORS',
      topicsExcludePattern: 'LH\\.DOORS',
    }],
  },
};

test('connectors: names, cluster settings with secret placeholders, patterns, tasks.max, class', () => {
  const [c, ...rest] = mirrorConnectors(mm2);
  expect(rest).toEqual([]);
  expect(c.name).toBe('na->europe.MirrorSourceConnector');
  expect(c.config).toEqual({
    'target.cluster.alias': 'europe',
    // the cluster's own config is prefixed and put last, unfiltered (it even overrides the bootstrap address)
    'target.cluster.bootstrap.servers': 'x:1',
    'target.cluster.ssl.truststore.certificates': '${strimzisecrets:eu/mm-connect-tls-trusted-certs:europe-ca.crt}',
    'target.cluster.ssl.truststore.type': 'PEM',
    'target.cluster.sasl.mechanism': 'SCRAM-SHA-512',
    'target.cluster.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="${strimzisecrets:eu/mm2:password}";',
    'target.cluster.security.protocol': 'SASL_SSL',
    'target.cluster.config.storage.replication.factor': '3',
    'target.cluster.ssl.truststore.location': '/nope',
    'target.cluster.ssl.protocol': 'TLSv1.3',
    'source.cluster.alias': 'na',
    'source.cluster.bootstrap.servers': 'na-kafka-bootstrap.na.svc:9093',
    'source.cluster.sasl.mechanism': 'SCRAM-SHA-512',
    'source.cluster.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror-source" password="${strimzisecrets:eu/mirror-sources:na.password}";',
    'source.cluster.security.protocol': 'SASL_PLAINTEXT',
    'source.cluster.consumer.fetch.max.wait.ms': '100',
    'replication.factor': '3',
    topics: 'LH\\.ORDERS|LH\\.DOORS',
    'topics.exclude': 'LH\\.DOORS',
    'tasks.max': '2',
    'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
  } as Record<string, string>);
});

test('Connect worker: group and storage topics, SASL for worker/producer/consumer/admin, providers, converters, forbidden user keys dropped', () => {
  const p = new Map(connectWorkerProperties(mm2));
  expect(connectWorkerProperties(mm2)[0]).toEqual(['bootstrap.servers', 'eu-kafka-bootstrap.eu.svc:9093']);
  expect(p.get('group.id')).toBe('g');
  expect([p.get('config.storage.topic'), p.get('offset.storage.topic'), p.get('status.storage.topic')]).toEqual(['c', 'o', 's']);
  for (const pre of ['', 'producer.', 'consumer.', 'admin.']) {
    expect(p.get(`${pre}security.protocol`)).toBe('SASL_SSL');
    expect(p.get(`${pre}sasl.mechanism`)).toBe('SCRAM-SHA-512');
    expect(p.get(`${pre}ssl.truststore.certificates`)).toBe('${strimzisecrets:eu/mm-connect-tls-trusted-certs:ca.crt}');
  }
  expect(p.get('config.providers')).toBe('strimzienv,strimzifile,strimzidir,strimzisecrets');
  expect(p.get('key.converter')).toBe('org.apache.kafka.connect.converters.ByteArrayConverter');
  expect(p.get('config.storage.replication.factor')).toBe('3');
  expect(p.get('ssl.protocol')).toBe('TLSv1.3'); // a forbidden prefix's exception
  expect(p.has('ssl.truststore.location')).toBe(false); // forbidden prefix ssl.
  expect(p.get('bootstrap.servers')).toBe('eu-kafka-bootstrap.eu.svc:9093'); // the user's bootstrap.servers is dropped
});

test('KafkaUser ACLs: one binding per operation; cluster named kafka-cluster; prefix -> PREFIXED', () => {
  const user: Manifest = {
    apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name: 'u', namespace: 'eu' },
    spec: { authentication: { type: 'scram-sha-512' }, authorization: { type: 'simple', acls: [
      { resource: { type: 'topic', name: 'na.', patternType: 'prefix' }, operations: ['Write', 'AlterConfigs'] },
      { resource: { type: 'cluster' }, operations: ['IdempotentWrite'] },
      { type: 'deny', resource: { type: 'group', name: 'g' }, operations: ['Read'], host: '10.0.0.1' },
    ] } },
  };
  expect(userAcls(user)).toEqual([
    { principal: 'User:u', resourceType: 'TOPIC', name: 'na.', patternType: 'PREFIXED', operation: 'WRITE', permission: 'ALLOW', host: '*' },
    { principal: 'User:u', resourceType: 'TOPIC', name: 'na.', patternType: 'PREFIXED', operation: 'ALTER_CONFIGS', permission: 'ALLOW', host: '*' },
    { principal: 'User:u', resourceType: 'CLUSTER', name: 'kafka-cluster', patternType: 'LITERAL', operation: 'IDEMPOTENT_WRITE', permission: 'ALLOW', host: '*' },
    { principal: 'User:u', resourceType: 'GROUP', name: 'g', patternType: 'LITERAL', operation: 'READ', permission: 'DENY', host: '10.0.0.1' },
  ]);
});

// ---------------------------------------------------------------- the external listener (regions on separate clusters)

/** The external listener as the stack writes it (constructs/kafka-cluster.ts externalListenerSpec), per type. */
const external = (type: string, configuration?: KafkaListener['configuration']): KafkaListener =>
  ({ name: 'external', port: 9094, type, tls: true, authentication: { type: 'scram-sha-512' }, ...(configuration ? { configuration } : {}) });
const nodes = [{ nodeId: 0, podName: 'eu-pool-0' }, { nodeId: 1, podName: 'eu-pool-1' }];
/** A cloud: load balancers with addresses per Service, node ports 3200x, worker nodes at 10.0.0.x (strings only). */
const cloud: ExternalPlatform = {
  loadBalancerAddress: (svc) => (svc === 'bootstrap' ? '203.0.113.10' : `203.0.113.${11 + svc}`),
  assignedNodePort: (svc) => (svc === 'bootstrap' ? 32000 : 32001 + svc),
  nodeAddress: (id) => `10.0.0.${id + 1}`,
};
const plain = (a: ReturnType<typeof externalListenerAddresses>) => ({
  status: a.status.bootstrapServers, advertised: Object.fromEntries(a.advertised), bootstrapDnsNames: a.bootstrapDnsNames, brokerDnsNames: Object.fromEntries(a.brokerDnsNames),
});

test('external listener broker settings: EXTERNAL-9094, SASL_SSL, SCRAM-SHA-512 only, the node\'s PEM keystore from its pod Secret', () => {
  expect(brokerListenerConfig(external('loadbalancer'), 'eu', nodes[0])).toEqual({
    name: 'EXTERNAL-9094',
    protocol: 'SASL_SSL',
    props: [
      ['listener.name.external-9094.scram-sha-512.sasl.jaas.config', 'org.apache.kafka.common.security.scram.ScramLoginModule required ;'],
      ['listener.name.external-9094.sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
      ['listener.name.external-9094.ssl.keystore.certificate.chain', '${strimzisecrets:eu/eu-pool-0:eu-pool-0.crt}'],
      ['listener.name.external-9094.ssl.keystore.key', '${strimzisecrets:eu/eu-pool-0:eu-pool-0.key}'],
      ['listener.name.external-9094.ssl.keystore.type', 'PEM'],
    ],
  });
  // the internal listener of the stack: TLS-9093, the same shape
  expect(brokerListenerConfig({ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } }, 'eu', nodes[0])).toMatchObject({ name: 'TLS-9093', protocol: 'SASL_SSL' });
  expect(() => brokerListenerConfig({ ...external('loadbalancer'), authentication: { type: 'tls' } }, 'eu', nodes[0])).toThrow(/not modelled/);
});

test('external listener addresses: load balancer (default; and with names the user gives)', () => {
  expect(plain(externalListenerAddresses(external('loadbalancer'), nodes, cloud))).toEqual({
    status: '203.0.113.10:9094',
    advertised: { 0: { host: '203.0.113.11', port: 9094 }, 1: { host: '203.0.113.12', port: 9094 } },
    bootstrapDnsNames: ['203.0.113.10'],
    brokerDnsNames: { 0: ['203.0.113.11'], 1: ['203.0.113.12'] },
  });
  const named = externalListenerAddresses(external('loadbalancer', { bootstrap: { alternativeNames: ['kafka.eu.example'] }, advertisedHostTemplate: 'b{nodeId}.kafka.eu.example' }), nodes, cloud);
  expect(plain(named)).toEqual({
    status: '203.0.113.10:9094',
    advertised: { 0: { host: 'b0.kafka.eu.example', port: 9094 }, 1: { host: 'b1.kafka.eu.example', port: 9094 } },
    bootstrapDnsNames: ['kafka.eu.example', '203.0.113.10'],
    brokerDnsNames: { 0: ['203.0.113.11', 'b0.kafka.eu.example'], 1: ['203.0.113.12', 'b1.kafka.eu.example'] },
  });
});

test('external listener addresses: node ports (status: each broker\'s advertised host on the bootstrap node port) and ingress (443)', () => {
  const np = external('nodeport', { bootstrap: { nodePort: 31094, alternativeNames: ['kafka.eu.example'] }, advertisedHostTemplate: 'broker-{nodeId}.kafka.eu.example' });
  expect(plain(externalListenerAddresses(np, nodes, cloud))).toEqual({
    status: 'broker-0.kafka.eu.example:31094,broker-1.kafka.eu.example:31094',
    advertised: { 0: { host: 'broker-0.kafka.eu.example', port: 32001 }, 1: { host: 'broker-1.kafka.eu.example', port: 32002 } },
    bootstrapDnsNames: ['kafka.eu.example'],
    brokerDnsNames: { 0: ['broker-0.kafka.eu.example'], 1: ['broker-1.kafka.eu.example'] },
  });
  // without names: the worker nodes' addresses, which no certificate holds (why the stack requires the hosts)
  expect(plain(externalListenerAddresses(external('nodeport'), nodes, cloud))).toMatchObject({ status: '10.0.0.1:32000,10.0.0.2:32000', bootstrapDnsNames: [], brokerDnsNames: {} });
  const ing = external('ingress', { bootstrap: { host: 'kafka.eu.example' }, hostTemplate: 'broker-{nodeId}.kafka.eu.example', class: 'nginx' });
  expect(plain(externalListenerAddresses(ing, nodes, cloud))).toEqual({
    status: 'kafka.eu.example:443',
    advertised: { 0: { host: 'broker-0.kafka.eu.example', port: 443 }, 1: { host: 'broker-1.kafka.eu.example', port: 443 } },
    bootstrapDnsNames: ['kafka.eu.example'],
    brokerDnsNames: { 0: ['broker-0.kafka.eu.example'], 1: ['broker-1.kafka.eu.example'] },
  });
  expect(() => externalListenerAddresses(external('ingress'), nodes, cloud)).toThrow(/bootstrap.host/);
  expect(() => externalListenerAddresses(external('route'), nodes, cloud)).toThrow(/not an external listener type/);
});

test('broker certificate SANs: in-cluster Service and pod names, then the external bootstrap and this broker\'s addresses (IPs as IP SANs)', () => {
  const a = externalListenerAddresses(external('loadbalancer', { bootstrap: { alternativeNames: ['kafka.eu.example'] } }), nodes, cloud);
  expect(brokerCertSans('eu', 'eu', nodes[1], [a])).toEqual({
    dns: ['eu-kafka-bootstrap', 'eu-kafka-bootstrap.eu', 'eu-kafka-bootstrap.eu.svc', 'eu-kafka-bootstrap.eu.svc.cluster.local',
      'eu-kafka-brokers', 'eu-kafka-brokers.eu', 'eu-kafka-brokers.eu.svc', 'eu-kafka-brokers.eu.svc.cluster.local',
      'eu-pool-1.eu-kafka-brokers.eu.svc.cluster.local', 'eu-pool-1.eu-kafka-brokers.eu.svc', 'kafka.eu.example'],
    ip: ['203.0.113.10', '203.0.113.12'],
  });
});
