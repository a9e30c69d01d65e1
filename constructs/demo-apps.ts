/**
 * The demo apps of one region, on the stock Strimzi Kafka image (no image build): a producer of random
 * Loosehanger Jeans orders localised to the region, and a consumer that reads the canonical topic and all its
 * copies with one subscription. Their scripts (apps/) are mounted from a ConfigMap.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ITerraformDependable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
// Types only (erased at run time): typos in these objects fail the type check.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { KubernetesObject, objectManifest, readyManifest } from './manifest';
import { DEFAULTS } from '../mesh/validate';

/** The files of apps/ that the pods run. */
export const APP_FILES = ['orders.sh', 'client-config.sh', 'produce.sh', 'consume.sh', 'ConsumeOrders.java'] as const;
const APPS_DIR = join(__dirname, '..', 'apps');
const MOUNT = '/opt/loosehanger';
const CA_MOUNT = '/etc/kafka-ca';

export interface DemoAppsProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  readonly image: string;
  readonly bootstrapServers: string;
  /** Secret with the cluster CA certificate under `ca.crt`. */
  readonly caSecret: string;
  /** Canonical topic the producer writes. */
  readonly topic: string;
  /** The consumer's subscription: a regex matching the canonical topic and its copies. */
  readonly subscription: string;
  readonly consumerGroup: string;
  /** KafkaUser names (each with a Secret of the same name holding `password`). */
  readonly producerUser: string;
  readonly consumerUser: string;
  /** Region code and warehouses the producer localises orders with. */
  readonly regionCode: string;
  readonly warehouses: readonly string[];
  readonly intervalSeconds: number;
  /** Deployment names. */
  readonly producerName: string;
  readonly consumerName: string;
  /** Kafka, the users, the topic and MirrorMaker 2. */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Seconds the deploy waits for each app's rollout (the mesh file's `deploy.readyTimeoutSeconds`).
   * @default 1200
   */
  readonly readyTimeoutSeconds?: number;
}

export class DemoApps extends Construct {
  constructor(scope: Construct, id: string, props: DemoAppsProps) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/part-of': 'shared-topic-mesh' };
    const files = Object.fromEntries(APP_FILES.map((f) => [f, readFileSync(join(APPS_DIR, f), 'utf8')]));
    // Pods restart when the scripts change: their template carries the scripts' digest.
    const digest = createHash('sha256').update(JSON.stringify(files)).digest('hex');
    const configMap: IConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'loosehanger-apps', namespace: props.namespace, labels },
      data: files,
    };
    const scripts = objectManifest(this, 'scripts', {
      provider: props.provider,
      object: configMap as KubernetesObject,
      dependsOn: props.dependsOn,
    });

    const deployment = (deploymentId: string, name: string, script: string, user: string, env: Record<string, string>) => {
      const object: IDeployment = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: props.namespace, labels: { ...labels, 'app.kubernetes.io/name': name } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { 'app.kubernetes.io/name': name } },
            template: {
              metadata: {
                labels: { ...labels, 'app.kubernetes.io/name': name },
                annotations: { 'shared-topic-mesh/scripts-sha256': digest },
              },
              spec: {
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name,
                    image: props.image,
                    command: ['bash', `${MOUNT}/${script}`],
                    env: [
                      { name: 'BOOTSTRAP_SERVERS', value: props.bootstrapServers },
                      { name: 'CA_CERT', value: `${CA_MOUNT}/ca.crt` },
                      { name: 'KAFKA_USERNAME', value: user },
                      { name: 'KAFKA_PASSWORD', valueFrom: { secretKeyRef: { name: user, key: 'password' } } },
                      { name: 'KAFKA_HEAP_OPTS', value: '-Xmx128m' },
                      ...Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
                    ],
                    volumeMounts: [
                      { name: 'scripts', mountPath: MOUNT, readOnly: true },
                      { name: 'cluster-ca', mountPath: CA_MOUNT, readOnly: true },
                    ],
                    resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '384Mi' } },
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                  },
                ],
                volumes: [
                  { name: 'scripts', configMap: { name: 'loosehanger-apps' } },
                  { name: 'cluster-ca', secret: { secretName: props.caSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                ],
              },
            },
          },
        };
      return readyManifest(this, deploymentId, {
        provider: props.provider,
        object: object as KubernetesObject,
        waitFor: 'rollout',
        timeoutSeconds: props.readyTimeoutSeconds ?? DEFAULTS.deploy.readyTimeoutSeconds,
        dependsOn: [scripts, ...props.dependsOn],
      });
    };

    deployment('producer', props.producerName, 'produce.sh', props.producerUser, {
      TOPIC: props.topic,
      REGION_CODE: props.regionCode,
      WAREHOUSES: props.warehouses.join('|'),
      ORDER_INTERVAL_SECONDS: String(props.intervalSeconds),
    });
    deployment('consumer', props.consumerName, 'consume.sh', props.consumerUser, {
      SUBSCRIPTION: props.subscription,
      GROUP_ID: props.consumerGroup,
    });
  }
}
