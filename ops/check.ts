/**
 * npm run check [-- --window <seconds>]: checks the live mesh, region by region, against the cluster it was
 * deployed to, and prints a table per region and a summary. Exit 0 only when all is well.
 */
import { MESH_CONFIG_ENV } from '../mesh/load';
import { checkRegion } from './checks';
import { KubeApi, KubeError } from './kube-api';
import { RegionApi } from './region-api';
import { RegionReport, renderReport } from './table';
import { EXIT, Io, painter, readKubeconfig, Parsed, reportNoCluster, start } from './command';

export const DEFAULT_WINDOW_SECONDS = 120;

const USAGE = `Usage: npm run check [-- --window <seconds>]

Checks the deployed mesh in every region: Kafka, KafkaTopics, KafkaUsers and MirrorMaker 2 Ready; MirrorMaker 2's
connector from every other region and its tasks RUNNING; the canonical topics and copies in each cluster (from the
Kafka Exporter), and nothing else; the consumer has received events from every region recently.

Options:
  --window <seconds>  how far back the consumer's log is read for events from every region (default ${DEFAULT_WINDOW_SECONDS})
  -h, --help          this help

Environment: ${MESH_CONFIG_ENV} (the mesh file you deployed; default the demo), KUBECONFIG (unless the mesh file sets
\`kubeconfig\`; default ~/.kube/config).
Exit status: 0 all well, 1 some check failed, 2 bad arguments or mesh file, 3 no cluster reachable.
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const started = start(argv, io, parseArgs, USAGE);
  if (typeof started === 'number') return started;
  const { args, mesh } = started;

  let regions: RegionApi[];
  try {
    const kubeconfig = readKubeconfig(mesh, io);
    regions = mesh.regions.map((region) => new RegionApi(region, new KubeApi(kubeconfig.connection(region.context))));
  } catch (e) {
    return reportNoCluster(e, 'the mesh', io);
  }
  // One request per kubeconfig context first: can we talk to that cluster as that user at all?
  for (const api of firstPerContext(regions)) {
    try {
      await api.kafka();
    } catch (e) {
      if (!(e instanceof KubeError && (e.kind === 'not-found' || e.kind === 'failed'))) return reportNoCluster(e, `region ${api.region.name}`, io);
    }
  }

  const reports: RegionReport[] = [];
  for (const api of regions) {
    io.stderr.write(`checking ${api.region.name}…\n`);
    try {
      reports.push({ region: api.region, rows: await checkRegion(mesh, api.region, api, { windowSeconds: args.windowSeconds }) });
    } catch (e) {
      return reportNoCluster(e, `region ${api.region.name}`, io);
    }
  }
  io.stdout.write(renderReport(reports, painter(io.stdout, io.env)));
  return reports.every((r) => r.rows.every((row) => row.ok)) ? EXIT.ok : EXIT.problems;
}

function parseArgs(argv: readonly string[]): Parsed<{ windowSeconds: number }> {
  let windowSeconds = DEFAULT_WINDOW_SECONDS;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag !== '--window') return { error: `Unknown argument: ${argv[i]}` };
    const value = inline ?? argv[++i];
    if (!/^[1-9]\d*$/.test(value ?? '')) return { error: `--window needs a whole number of seconds > 0, got ${value ?? 'nothing'}` };
    windowSeconds = Number(value);
  }
  return { windowSeconds };
}

function firstPerContext(regions: readonly RegionApi[]): RegionApi[] {
  const seen = new Map<string, RegionApi>();
  for (const api of regions) if (!seen.has(api.api.connection.context)) seen.set(api.api.connection.context, api);
  return [...seen.values()];
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
