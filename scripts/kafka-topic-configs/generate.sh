#!/usr/bin/env bash
# Writes mesh/kafka/topic-configs-<kafka version>.json: every topic config of that Kafka version, with its type,
# default and validator, read from Kafka's own jars (TopicConfigs.java, LogConfig in kafka-storage). The mesh
# validation (mesh/topic-configs.ts) checks topics[].config and regions[].topicConfig against these tables.
#
#   scripts/kafka-topic-configs/generate.sh [--check] [<kafka version>...]
#
# Versions: the ones given, else every Kafka version the project's Strimzi lists support
# (mesh/strimzi/kafka-versions-*.json, "supported"), else 4.3.1.
# --check writes nothing: it exits 1, with a summary per table, when a committed table differs from what the jars say
# (the Kafka tier runs it: kafka-tier/tests/topic-configs.tier.ts).
# Needs Java 17+, Maven and Maven Central (or a mirror in your Maven settings) for the Kafka artifacts.
# KAFKA_TOPIC_CONFIGS_DIR reads and writes the tables in another folder (the tier's test of --check itself uses it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tables="${KAFKA_TOPIC_CONFIGS_DIR:-$root/mesh/kafka}"

check=false
versions=()
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    [0-9]*) versions+=("$arg") ;;
    *) echo "usage: $0 [--check] [<kafka version>...]" >&2; exit 2 ;;
  esac
done

if [ ${#versions[@]} -eq 0 ]; then
  # The union of what the Strimzi lists support, oldest first: a mesh may name any of them in kafka.version.
  mapfile -t versions < <(node -e '
    const fs = require("fs"), dir = process.argv[1];
    const found = new Set();
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (/^kafka-versions-.+\.json$/.test(f)) for (const v of JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")).supported) found.add(v);
    }
    if (found.size === 0) found.add("4.3.1");
    const key = (v) => v.split(/[.-]/).map((p) => p.padStart(6, "0")).join(".");
    console.log([...found].sort((a, b) => key(a).localeCompare(key(b))).join("\n"));
  ' "$root/mesh/strimzi")
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The build of one version is reused while its stamp is newer than the generator's sources and its jars are all
# there (mvn leaves unchanged outputs untouched, so their own times say nothing).
up_to_date() {
  local build="$1" jar
  [ -f "$build/built" ] && [ "$build/built" -nt "$here/pom.xml" ] && [ "$build/built" -nt "$here/src/main/java/mesh/kafka/TopicConfigs.java" ] || return 1
  for jar in $(tr ':' ' ' <"$build/classpath.txt"); do [ -f "$jar" ] || return 1; done
}

for version in "${versions[@]}"; do
  build="$here/.cache/kafka-$version"
  if ! up_to_date "$build"; then
    # mvn -q prints nothing on success; its log is shown only when it fails.
    if ! mvn -q -B -Dstyle.color=never -f "$here/pom.xml" compile -Dkafka.version="$version" >"$work/mvn-$version.log" 2>&1; then
      cat "$work/mvn-$version.log" >&2
      echo "generate.sh: building the generator against Kafka $version failed (is org.apache.kafka:kafka-storage:$version on Maven Central?)" >&2
      exit 2
    fi
    touch "$build/built"
  fi
  if ! java -cp "$build/classes:$(cat "$build/classpath.txt")" mesh.kafka.TopicConfigs "$version" \
      >"$work/topic-configs-$version.json" 2>"$work/java-$version.log"; then
    cat "$work/java-$version.log" >&2
    echo "generate.sh: reading Kafka $version's topic configs failed" >&2
    exit 2
  fi
done

if ! $check; then
  mkdir -p "$tables"
  for version in "${versions[@]}"; do
    cp "$work/topic-configs-$version.json" "$tables/topic-configs-$version.json"
    echo "wrote ${tables#"$root/"}/topic-configs-$version.json ($(node -e 'console.log(Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).configs).length)' "$tables/topic-configs-$version.json") topic configs)"
  done
  exit 0
fi

status=0
for version in "${versions[@]}"; do
  committed="$tables/topic-configs-$version.json"
  generated="$work/topic-configs-$version.json"
  if [ ! -f "$committed" ]; then
    echo "${committed#"$root/"}: missing; Kafka $version's jars define $(node -e 'console.log(Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).configs).length)' "$generated") topic configs"
    status=1
  elif ! cmp -s "$committed" "$generated"; then
    # What differs, config by config, rather than a text diff of a large file.
    node -e '
      const fs = require("fs");
      const [file, version, generatedFile, shown] = process.argv.slice(1);
      let committed;
      try { committed = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { console.log(`${shown}: not valid JSON (${e.message})`); process.exit(0); }
      const generated = JSON.parse(fs.readFileSync(generatedFile, "utf8"));
      const lines = [];
      for (const key of Object.keys(generated)) {
        if (key !== "configs" && JSON.stringify(committed[key]) !== JSON.stringify(generated[key])) lines.push(`${key}: ${JSON.stringify(committed[key])} in the file, ${JSON.stringify(generated[key])} from the jars`);
      }
      const mine = committed.configs ?? {}, theirs = generated.configs;
      const added = Object.keys(theirs).filter((k) => !(k in mine));
      const removed = Object.keys(mine).filter((k) => !(k in theirs));
      if (added.length) lines.push(`missing from the file: ${added.join(", ")}`);
      if (removed.length) lines.push(`not a topic config of Kafka ${version}: ${removed.join(", ")}`);
      for (const k of Object.keys(theirs).filter((k) => k in mine)) {
        for (const field of ["type", "default", "validator"]) {
          const a = JSON.stringify(mine[k][field]), b = JSON.stringify(theirs[k][field]);
          if (a !== b) lines.push(`${k}.${field}: ${a} in the file, ${b} from the jars`);
        }
      }
      if (lines.length === 0) lines.push("same content, different layout (key order or formatting)");
      console.log(`${shown} differs from Kafka ${version}'"'"'s jars:`);
      for (const l of lines) console.log(`  - ${l}`);
    ' "$committed" "$version" "$generated" "${committed#"$root/"}"
    status=1
  else
    echo "${committed#"$root/"}: up to date with Kafka $version's jars"
  fi
done
if [ "$status" -ne 0 ]; then
  echo "Run scripts/kafka-topic-configs/generate.sh to rewrite the tables from the jars."
fi
exit "$status"
