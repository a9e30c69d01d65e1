/**
 * Reads the demo apps of a region from the synthesized Deployments `producer` and `consumer` (stock Strimzi image,
 * kafka-console-producer.sh / kafka-console-consumer.sh) and the ConfigMaps they mount: topic, include regex, group,
 * client properties given on the command line, and the KafkaUser whose secret the container reads.
 */
import type { Manifest, RegionModel } from './synth';

export interface AppSpec {
  deployment: string;
  user: string;
  /** producer: --topic */
  topic?: string;
  /** consumer: --include (or --topic for a single-topic consumer) */
  include?: string;
  group?: string;
  fromBeginning: boolean;
  /** --producer-property / --consumer-property k=v as given */
  clientProps: Record<string, string>;
  command: string;
}

/** Splits a shell command line into words (quotes and backslashes as bash reads them; no expansion). */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      cur += s.slice(i + 1, j < 0 ? s.length : j);
      i = j < 0 ? s.length : j;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`\n'.includes(s[i + 1])) i++;
        cur += s[i++];
      }
      inWord = true;
    } else if (c === '\\' && s[i + 1] === '\n') {
      i++; // line continuation
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (c === '#' && !inWord) {
      while (i + 1 < s.length && s[i + 1] !== '\n') i++; // comment
    } else if (/\s/.test(c) || c === '|' || c === ';' || c === '&') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      if (c === '|' || c === ';' || c === '&') words.push(c);
      else if (c === '\n') words.push(';');
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function containerText(d: Manifest, region: RegionModel): string[] {
  const texts: string[] = [];
  const pod = d.spec?.template?.spec ?? {};
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    texts.push([...(c.command ?? []), ...(c.args ?? [])].join(' '));
  }
  for (const v of pod.volumes ?? []) {
    const cm: Record<string, string> | undefined = v.configMap?.name ? region.configMaps[v.configMap.name] : undefined;
    if (cm) texts.push(...Object.values(cm));
  }
  return texts;
}

function userOf(d: Manifest, region: RegionModel): string {
  const users = new Set(region.users.map((u) => u.metadata.name));
  const pod = d.spec?.template?.spec ?? {};
  for (const c of pod.containers ?? []) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef?.name;
      if (ref && users.has(ref)) return ref;
    }
    for (const ef of c.envFrom ?? []) if (ef.secretRef?.name && users.has(ef.secretRef.name)) return ef.secretRef.name;
  }
  for (const v of pod.volumes ?? []) if (v.secret?.secretName && users.has(v.secret.secretName)) return v.secret.secretName;
  if (users.has(d.metadata.name)) return d.metadata.name;
  throw new Error(`${region.namespace}/${d.metadata.name}: cannot tell which KafkaUser the app uses (no secret of a KafkaUser referenced)`);
}

function parseTool(words: string[], tool: string): string[] | undefined {
  const i = words.findIndex((w) => w.endsWith(tool));
  if (i < 0) return undefined;
  const end = words.slice(i + 1).findIndex((w) => w === '|' || w === ';' || w === '&');
  return words.slice(i + 1, end < 0 ? undefined : i + 1 + end);
}

function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

function options(args: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) out.push(args[++i]);
    else if (args[i].startsWith(`${name}=`)) out.push(args[i].slice(name.length + 1));
  }
  return out;
}

/** The container's literal environment variables (valueFrom ones are left out). */
function envOf(d: Manifest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const c of d.spec?.template?.spec?.containers ?? []) for (const e of c.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
  return env;
}

/** Expands $NAME, ${NAME} and ${NAME:-default} from the container's environment (what bash would pass). */
function expand(word: string | undefined, env: Record<string, string>): string | undefined {
  if (word === undefined) return undefined;
  return word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a, dflt, b) => {
    const v = env[a ?? b];
    return v !== undefined && v !== '' ? v : dflt ?? whole;
  });
}

export function readApp(region: RegionModel, name: 'producer' | 'consumer'): AppSpec {
  const tool = name === 'producer' ? 'kafka-console-producer.sh' : 'kafka-console-consumer.sh';
  const d = region.deployments.find((x) => x.metadata.name === name)
    ?? region.deployments.find((x) => containerText(x, region).some((t) => t.includes(tool)));
  if (!d) throw new Error(`${region.namespace}: no Deployment ${name}`);
  let args: string[] | undefined;
  let command = '';
  for (const t of containerText(d, region)) {
    const a = parseTool(shellWords(t), tool);
    if (a) { args = a; command = t; break; }
  }
  if (!args) throw new Error(`${region.namespace}/${d.metadata.name}: no ${tool} command found`);
  const env = envOf(d);
  const clientProps: Record<string, string> = {};
  for (const kv0 of [...options(args, '--command-property'), ...options(args, name === 'producer' ? '--producer-property' : '--consumer-property')]) {
    const kv = expand(kv0, env)!;
    const i = kv.indexOf('=');
    if (i > 0 && !kv.includes('$')) clientProps[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (name === 'producer') {
    // kafka-console-producer sets compression.type after the --command-property values, from --compression-codec:
    // "none" without the option, "gzip" with an empty one (Kafka 4.3.1, tools' ConsoleProducer.producerProps and
    // compressionCodec), so a compression.type given as a property never reaches the producer.
    const codec = args.includes('--compression-codec') || args.some((a) => a.startsWith('--compression-codec=')) ? expand(option(args, '--compression-codec') ?? '', env) : undefined;
    clientProps['compression.type'] = codec === undefined ? 'none' : codec === '' || codec.startsWith('--') ? 'gzip' : codec;
  }
  // a program of the app may set the offset reset policy itself (e.g. a Java consumer in the ConfigMap)
  const texts = containerText(d, region).join('\n');
  const reset = /auto[._]offset[._]reset(?:_config)?["']?\s*[,=:]\s*["']?(earliest|latest)/i.exec(texts);
  return {
    deployment: d.metadata.name,
    user: userOf(d, region),
    topic: expand(option(args, '--topic'), env),
    include: expand(option(args, '--include') ?? option(args, '--whitelist'), env),
    group: expand(option(args, '--group'), env),
    fromBeginning: args.includes('--from-beginning') || reset?.[1].toLowerCase() === 'earliest',
    clientProps,
    command,
  };
}
