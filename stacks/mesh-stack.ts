/**
 * Deploy phase 2: the mesh. Per region a Kafka cluster, its canonical topics and users, the copied Secrets its
 * MirrorMaker 2 needs from every other region, the MirrorMaker 2 itself, and the demo apps.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterProviders } from '../constructs/cluster-providers';
import { DemoApps } from '../constructs/demo-apps';
import { KafkaUi } from '../constructs/kafka-ui';
import { MirrorMaker } from '../constructs/mirror-maker';
import { MirrorSourceAccess, SourceSecrets } from '../constructs/mirror-source-access';
import { ExternalAddress } from '../constructs/external-address';
import { MeshRegion } from '../constructs/region';
import { knownExternalAddress, Topology } from '../mesh/clusters';
import { EXTERNAL_LISTENER, Mesh, Region } from '../mesh/model';
import {
  APPS,
  bootstrapAddress,
  clusterCaSecretName,
  clusterName,
  consumerPattern,
  followCommand,
  MIRROR_SOURCE_USER,
  replicationFactor,
  MIRROR_SOURCES_SECRET,
  mirrorSourceKeys,
  topicsPattern,
  UI,
  uiLoginPasswordResourceName,
  uiPortForwardCommand,
  USERS,
} from '../mesh/names';
import { applyStackSettings } from './stack-settings';

export interface MeshStackProps {
  readonly mesh: Mesh;
  /** The kubeconfig file(s) the providers read (kubeconfigSource in mesh/kubeconfig.ts). */
  readonly kubeconfigPaths: readonly string[];
  /** Which cluster each region lives on (mesh/clusters.ts). @default - every region on the current context's cluster */
  readonly topology?: Topology;
}

export class MeshStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: MeshStackProps) {
    super(scope, id);
    const { mesh } = props;
    const topology = props.topology ?? Topology.oneCluster(mesh);
    const providers = new ClusterProviders(this, 'providers', {
      kubeconfigPaths: props.kubeconfigPaths,
      contexts: topology.clusters.map((c) => c.context),
      helm: mesh.ui.enabled,
    });
    applyStackSettings(this, mesh.ui.enabled ? ['kubernetes', 'helm'] : ['kubernetes']);
    // Every region's resources go to its own cluster, through that cluster's providers.
    const providerOf = (region: Region) => providers.kubernetesFor(topology.clusterOf(region).context);
    const helmOf = (region: Region) => providers.helmFor(topology.clusterOf(region).context);

    const regions = new Map(
      mesh.regions.map((region) => {
        const external = topology.externalListener(region);
        return [
          region.name,
          new MeshRegion(this, `region-${region.name}`, { provider: providerOf(region), mesh, region, ...(external ? { external } : {}) }),
        ];
      }),
    );
    // Per region with an external listener, the address regions on other clusters use: the mesh file's, or the one
    // its Kafka reports (read through its own cluster's provider once it is Ready).
    const externalAddresses = new Map(
      mesh.regions.flatMap((region) => {
        const external = topology.externalListener(region);
        if (!external) return [];
        const known = knownExternalAddress(external);
        if (known !== undefined) return [[region.name, known] as const];
        const r = regions.get(region.name)!;
        const address = new ExternalAddress(r, 'external-address', {
          provider: providerOf(region),
          cluster: clusterName(region),
          namespace: region.namespace,
          listener: EXTERNAL_LISTENER.name,
          ...(topology.clusterOf(region).context ? { context: topology.clusterOf(region).context } : {}),
          ready: [r.cluster.ready],
        });
        return [[region.name, address.bootstrapServers] as const];
      }),
    );
    /** How `reader`'s MirrorMaker 2 reaches `source`: the internal listener on the same cluster, else the external one. */
    const addressFor = (reader: Region, source: Region) =>
      topology.sameCluster(reader, source) ? bootstrapAddress(source) : externalAddresses.get(source.name)!;
    // Per region, what its readers copy: its cluster CA certificate and its mirror-source user's password.
    const sourceSecrets = new Map(
      mesh.regions.map((region) => {
        const r = regions.get(region.name)!;
        return [
          region.name,
          new SourceSecrets(r, 'source-secrets', {
            provider: providerOf(region),
            namespace: region.namespace,
            caSecret: clusterCaSecretName(region),
            caReady: [r.cluster.ready],
            userSecret: MIRROR_SOURCE_USER,
            userReady: [r.users.get(MIRROR_SOURCE_USER)!],
          }),
        ];
      }),
    );

    for (const region of mesh.regions) {
      const local = regions.get(region.name)!;
      const sources = mesh.regions.filter((r) => r.name !== region.name);

      // From every other region: its CA certificate and its mirror-source user's password, in one Secret.
      const access = new MirrorSourceAccess(local, 'mirror-sources', {
        provider: providerOf(region),
        namespace: region.namespace,
        secretName: MIRROR_SOURCES_SECRET,
        sources: sources.map((source) => {
          const keys = mirrorSourceKeys(source);
          const secrets = sourceSecrets.get(source.name)!;
          return {
            namespace: source.namespace,
            caCertificate: secrets.caCertificate,
            password: secrets.password,
            caCertificateKey: keys.caCertificate,
            passwordKey: keys.password,
          };
        }),
      });

      const mirrorMaker = new MirrorMaker(local, 'mirrormaker2', {
        provider: providerOf(region),
        namespace: region.namespace,
        target: {
          alias: region.alias,
          bootstrapServers: bootstrapAddress(region),
          caSecret: clusterCaSecretName(region),
          username: USERS.mirrorMaker,
          passwordSecret: USERS.mirrorMaker,
        },
        sources: sources.map((source) => ({
          alias: source.alias,
          bootstrapServers: addressFor(region, source),
          caSecret: MIRROR_SOURCES_SECRET,
          caCertificateKey: mirrorSourceKeys(source).caCertificate,
          username: MIRROR_SOURCE_USER,
          passwordSecret: MIRROR_SOURCES_SECRET,
          passwordKey: mirrorSourceKeys(source).password,
        })),
        topicsPattern: topicsPattern(mesh),
        replicationFactor: replicationFactor(mesh.kafka),
        options: mesh.mirrorMaker,
        metrics: mesh.metrics.enabled,
        dependsOn: [local.cluster.ready, local.users.get(USERS.mirrorMaker)!, access.secret],
        readyTimeoutSeconds: mesh.deploy.readyTimeoutSeconds,
      });

      if (mesh.apps.enabled) {
        new DemoApps(local, 'apps', {
          provider: providerOf(region),
          namespace: region.namespace,
          image: mesh.apps.image,
          bootstrapServers: bootstrapAddress(region),
          caSecret: clusterCaSecretName(region),
          topic: mesh.apps.topic,
          subscription: consumerPattern(mesh, region, mesh.apps.topic),
          consumerGroup: APPS.consumerGroup,
          producerUser: USERS.producer,
          consumerUser: USERS.consumer,
          producerName: APPS.producer,
          consumerName: APPS.consumer,
          regionCode: region.code,
          warehouses: region.warehouses,
          intervalSeconds: mesh.apps.intervalSeconds,
          dependsOn: [
            local.topics.get(mesh.apps.topic)!,
            local.users.get(USERS.producer)!,
            local.users.get(USERS.consumer)!,
            mirrorMaker.ready,
          ],
          readyTimeoutSeconds: mesh.deploy.readyTimeoutSeconds,
        });
      }

      if (mesh.ui.enabled) {
        const ui = new KafkaUi(local, 'ui', {
          provider: helmOf(region),
          kubernetesProvider: providerOf(region),
          namespace: region.namespace,
          clusterName: region.name,
          bootstrapServers: bootstrapAddress(region),
          caSecret: clusterCaSecretName(region),
          user: UI.user,
          loginUser: UI.loginUser,
          loginSecret: UI.loginSecret,
          loginPasswordResourceName: uiLoginPasswordResourceName(region),
          releaseName: UI.release,
          repository: mesh.ui.repository,
          chartVersion: mesh.ui.chartVersion,
          dependsOn: [local.cluster.ready, local.users.get(UI.user)!],
        });
        // The login's own password: a sensitive output (see README, "Web UI").
        new TerraformOutput(this, `output-${region.name}-ui-password`, {
          description: `Region ${region.name}: password of the web UI login "${UI.loginUser}"`,
          value: ui.loginPassword,
          sensitive: true,
        }).overrideLogicalId(`${region.name}-ui-password`);
      }

      new TerraformOutput(this, `output-${region.name}`, {
        description: `Region ${region.name}: its namespace, Kafka bootstrap address, how to follow its consumer and open its web UI`,
        value: {
          namespace: region.namespace,
          alias: region.alias,
          bootstrap: bootstrapAddress(region),
          ...(externalAddresses.has(region.name) ? { externalBootstrap: externalAddresses.get(region.name)! } : {}),
          follow: followCommand(region, topology.clusterOf(region).context),
          ...(mesh.ui.enabled ? { ui: `${uiPortForwardCommand(region, topology.clusterOf(region).context)}, then http://localhost:${UI.localPort} as user ${UI.loginUser}` } : {}),
        },
      }).overrideLogicalId(region.name);
    }
  }
}
