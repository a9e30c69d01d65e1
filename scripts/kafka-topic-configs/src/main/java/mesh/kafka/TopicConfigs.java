package mesh.kafka;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.storage.internals.log.LogConfig;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints Kafka's topic config definitions as JSON (the table mesh/topic-configs.ts checks a mesh file's topic configs
 * against): for every topic config, its type, its default and its validator as data.
 *
 * <p>The source is the ConfigDef the broker itself validates topic configs with ({@code LogConfig.validate}, used
 * when a topic is created or its configs altered): {@link LogConfig#configKeys()} in kafka-storage. Internal configs
 * ({@code defineInternal}, "for testing only") are left out, as Kafka's own documentation leaves them out.
 *
 * <p>Validators become one of:
 * <ul>
 *   <li>{@code none}: any value of the type;</li>
 *   <li>{@code range}: {@code min} and/or {@code max}, inclusive, and {@code alsoAllowed}: single values outside it;</li>
 *   <li>{@code validStrings}: the value is one of {@code values} (case-sensitive unless {@code caseInsensitive});</li>
 *   <li>{@code validList}: a comma-separated list without duplicates or empty items, each item one of
 *       {@code values} (any item when {@code values} is empty), empty only when {@code emptyAllowed};</li>
 *   <li>{@code other}: a validator class this generator cannot describe as data, with its class and description;
 *       mesh/topic-configs.ts must know every such class (a fast test checks that).</li>
 * </ul>
 * Every extracted range, set and list is then checked against the validator's own {@code ensureValid}, so a
 * description that does not match what Kafka accepts stops the generator instead of reaching the table.
 *
 * <p>Usage: {@code TopicConfigs <expected Kafka version>}; prints the JSON on stdout.
 */
public final class TopicConfigs {

    private TopicConfigs() { }

    public static void main(String[] args) {
        String version = AppInfoParser.getVersion();
        if (args.length != 1 || !args[0].equals(version)) {
            throw new IllegalStateException("expected Kafka " + (args.length > 0 ? args[0] : "(no version given)")
                + " on the classpath, found kafka-clients " + version);
        }
        Map<String, Object> configs = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigKey> e : new TreeMap<>(LogConfig.configKeys()).entrySet()) {
            ConfigKey key = e.getValue();
            if (key.internalConfig) continue;
            Map<String, Object> validator = describe(key);
            verify(key, validator);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("type", key.type.name());
            config.put("default", key.defaultValue == ConfigDef.NO_DEFAULT_VALUE || key.type == Type.PASSWORD
                ? null : ConfigDef.convertToString(key.defaultValue, key.type));
            config.put("validator", validator);
            configs.put(e.getKey(), config);
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("kafkaVersion", version);
        table.put("generator", "scripts/kafka-topic-configs/generate.sh (TopicConfigs.java: LogConfig.configKeys() of "
            + "org.apache.kafka:kafka-storage:" + version + ", internal configs left out)");
        table.put("configs", configs);
        StringBuilder out = new StringBuilder();
        Json.write(out, table, "");
        System.out.println(out);
    }

    /** The validator as data. ConfigDef's validators have no getters, so their fields are read by reflection. */
    static Map<String, Object> describe(ConfigKey key) {
        Validator v = key.validator;
        Map<String, Object> d = new LinkedHashMap<>();
        if (v == null) {
            d.put("kind", "none");
        } else if (v instanceof ConfigDef.Range) {
            d.put("kind", "range");
            Number min = (Number) field(v, "min");
            Number max = (Number) field(v, "max");
            if (min != null) d.put("min", min);
            if (max != null) d.put("max", max);
        } else if (v instanceof ConfigDef.ValidString) {
            d.put("kind", "validStrings");
            d.put("values", new ArrayList<>((Collection<?>) field(v, "validStrings")));
        } else if (v instanceof ConfigDef.CaseInsensitiveValidString) {
            d.put("kind", "validStrings");
            // a Set of the upper-cased strings: sorted for a stable table
            d.put("values", new ArrayList<>(new TreeSet<>(uncheckedCollection(field(v, "validStrings")))));
            d.put("caseInsensitive", true);
        } else if (v instanceof ConfigDef.ValidList) {
            d.put("kind", "validList");
            d.put("values", new ArrayList<>((Collection<?>) field(field(v, "validString"), "validStrings")));
            d.put("emptyAllowed", field(v, "isEmptyAllowed"));
        } else if (v instanceof ConfigDef.LambdaValidator) {
            // A LambdaValidator keeps its rule in a lambda; its bounds exist only in the description it prints (Kafka
            // 4.3.1: the gzip level, "[1,...,9] or -1"). That text is parsed here, strictly (anything else stops the
            // generator), and verify() then checks the result against the lambda itself.
            d.putAll(parseRangeText(key.name, v.toString()));
        } else {
            d.put("kind", "other");
            d.put("class", v.getClass().getName());
            d.put("description", v.toString());
        }
        return d;
    }

    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(?:\\.[0-9]+)?");
    private static final Pattern RANGE_TEXT = Pattern.compile(
        "\\[(?:(" + NUMBER + "),\\.\\.\\.,(" + NUMBER + ")|(" + NUMBER + "),\\.\\.\\.|\\.\\.\\.,(" + NUMBER + "))\\]"
            + "((?: or " + NUMBER + ")*)");

    /** ConfigDef.Range's own notation ("[min,...,max]", "[min,...]", "[...,max]"), then " or v" for single values. */
    static Map<String, Object> parseRangeText(String name, String text) {
        Matcher m = RANGE_TEXT.matcher(text);
        if (!m.matches()) {
            throw new IllegalStateException(name + ": cannot describe validator \"" + text + "\" as data; teach TopicConfigs.describe its kind");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("kind", "range");
        String min = m.group(1) != null ? m.group(1) : m.group(3);
        String max = m.group(2) != null ? m.group(2) : m.group(4);
        if (min != null) d.put("min", new BigDecimal(min));
        if (max != null) d.put("max", new BigDecimal(max));
        List<Object> also = new ArrayList<>();
        for (String part : m.group(5).split(" or ")) {
            if (!part.isEmpty()) also.add(new BigDecimal(part));
        }
        if (!also.isEmpty()) d.put("alsoAllowed", also);
        return d;
    }

    /** Checks the description against Kafka's own validator: values it says are allowed pass, the others fail. */
    static void verify(ConfigKey key, Map<String, Object> d) {
        if (key.validator == null) return;
        switch ((String) d.get("kind")) {
            case "range": {
                List<Object> also = d.containsKey("alsoAllowed") ? uncheckedList(d.get("alsoAllowed")) : List.of();
                for (Object v : also) expect(key, plain(v), true);
                for (String bound : new String[] {"min", "max"}) {
                    if (!d.containsKey(bound)) continue;
                    BigDecimal b = new BigDecimal(plain(d.get(bound)));
                    expect(key, b.toPlainString(), true);
                    BigDecimal outside = bound.equals("min") ? b.subtract(BigDecimal.ONE) : b.add(BigDecimal.ONE);
                    if (!also.stream().map(TopicConfigs::plain).map(BigDecimal::new).anyMatch(a -> a.compareTo(outside) == 0)
                        && parses(key, outside.toPlainString())) {
                        expect(key, outside.toPlainString(), false);
                    }
                }
                break;
            }
            case "validStrings":
                for (Object v : uncheckedList(d.get("values"))) expect(key, (String) v, true);
                expect(key, "not-a-valid-value", false);
                break;
            case "validList": {
                List<Object> values = uncheckedList(d.get("values"));
                for (Object v : values) expect(key, (String) v, true);
                if (!values.isEmpty()) expect(key, "not-a-valid-value", false);
                expect(key, "", (Boolean) d.get("emptyAllowed"));
                break;
            }
            default:
                break;
        }
    }

    private static boolean parses(ConfigKey key, String value) {
        try {
            ConfigDef.parseType(key.name, value, key.type);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private static void expect(ConfigKey key, String value, boolean allowed) {
        boolean ok;
        try {
            key.validator.ensureValid(key.name, ConfigDef.parseType(key.name, value, key.type));
            ok = true;
        } catch (ConfigException e) {
            ok = false;
        }
        if (ok != allowed) {
            throw new IllegalStateException(key.name + ": the table says \"" + value + "\" is " + (allowed ? "" : "not ")
                + "allowed, Kafka's validator " + key.validator.getClass().getName() + " (" + key.validator + ") says otherwise");
        }
    }

    private static String plain(Object n) {
        return n instanceof BigDecimal ? ((BigDecimal) n).toPlainString() : n.toString();
    }

    private static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // declared further up
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(target.getClass().getName() + " has no field " + name + " in this Kafka version; update TopicConfigs.describe");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> uncheckedList(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Collection<String> uncheckedCollection(Object o) {
        return (Collection<String>) o;
    }

    /** JSON written as JavaScript's JSON.stringify(value, null, 2) writes it, so the committed file is canonical. */
    static final class Json {
        private Json() { }

        static void write(StringBuilder out, Object value, String indent) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof String) {
                string(out, (String) value);
            } else if (value instanceof Boolean) {
                out.append(value);
            } else if (value instanceof Number) {
                out.append(number((Number) value));
            } else if (value instanceof Map) {
                Map<?, ?> map = (Map<?, ?>) value;
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                String inner = indent + "  ";
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(inner);
                    string(out, (String) e.getKey());
                    out.append(": ");
                    write(out, e.getValue(), inner);
                    out.append(++i < map.size() ? ",\n" : "\n");
                }
                out.append(indent).append('}');
            } else if (value instanceof List) {
                List<?> list = (List<?>) value;
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                String inner = indent + "  ";
                out.append("[\n");
                for (int i = 0; i < list.size(); i++) {
                    out.append(inner);
                    write(out, list.get(i), inner);
                    out.append(i + 1 < list.size() ? ",\n" : "\n");
                }
                out.append(indent).append(']');
            } else {
                throw new IllegalArgumentException("no JSON for " + value.getClass());
            }
        }

        /** A bound must survive JavaScript's numbers exactly; one that would not stops the generator. */
        static String number(Number n) {
            BigDecimal d = n instanceof BigDecimal ? (BigDecimal) n : new BigDecimal(n.toString());
            d = d.stripTrailingZeros();
            if (d.scale() <= 0) {
                if (d.abs().compareTo(BigDecimal.valueOf(9007199254740991L)) > 0) {
                    throw new IllegalStateException(n + " is beyond JavaScript's exact integers (2^53 - 1)");
                }
                return d.toBigInteger().toString();
            }
            if (d.abs().compareTo(new BigDecimal("1e-6")) < 0) throw new IllegalStateException(n + " would be written in exponent form");
            return d.toPlainString();
        }

        static void string(StringBuilder out, String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': out.append("\\\""); break;
                    case '\\': out.append("\\\\"); break;
                    case '\n': out.append("\\n"); break;
                    case '\r': out.append("\\r"); break;
                    case '\t': out.append("\\t"); break;
                    case '\b': out.append("\\b"); break;
                    case '\f': out.append("\\f"); break;
                    default:
                        if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                        else out.append(c);
                }
            }
            out.append('"');
        }
    }
}
