package dev.atfork.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's options, {@code -javaagent:atfork-agent.jar=OPTION,OPTION}, as the library's system
 * properties: {@code prepareTimeoutMillis=N} sets {@code dev.atfork.prepareTimeoutMillis=N}, and
 * {@code quiet} sets {@code dev.atfork.reportForcedRelease=false}. Empty items are skipped; an
 * unknown, malformed or repeated option is refused. An option whose property was also given,
 * with {@code -D}, with another value is refused too: both were asked for, and neither may be
 * silently dropped. The same value twice is fine.
 */
final class AgentOptions {

    static final String PREPARE_TIMEOUT = "prepareTimeoutMillis";
    static final String QUIET = "quiet";
    static final String PREPARE_TIMEOUT_PROPERTY = "dev.atfork.prepareTimeoutMillis";
    static final String REPORT_PROPERTY = "dev.atfork.reportForcedRelease";
    /** The options, for messages. */
    static final String VALID = "valid options: " + PREPARE_TIMEOUT + "=N (whole milliseconds >= 0), " + QUIET
            + " (no forced-release report), comma separated";
    /** The library's own bound: a timeout it converts to nanoseconds. */
    private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;

    /** The system properties to set, in the order the options came; values are those the library reads. */
    private final Map<String, String> properties = new LinkedHashMap<>();
    /** Each property's option as given, for messages. */
    private final Map<String, String> given = new LinkedHashMap<>();

    private AgentOptions() {
    }

    /**
     * Reads the agent's argument.
     *
     * @param args what follows {@code =} in {@code -javaagent:}, or {@code null} if nothing did
     * @return the options
     * @throws IllegalArgumentException naming the option at fault
     */
    static AgentOptions parse(String args) {
        AgentOptions options = new AgentOptions();
        if (args == null) {
            return options;
        }
        for (String item : args.split(",", -1)) {
            String option = item.strip();
            if (option.isEmpty()) {
                continue;
            }
            int equals = option.indexOf('=');
            String name = equals < 0 ? option : option.substring(0, equals).strip();
            String value = equals < 0 ? null : option.substring(equals + 1).strip();
            switch (name) {
                case PREPARE_TIMEOUT -> options.add(PREPARE_TIMEOUT_PROPERTY, Long.toString(millis(option, value)), option);
                case QUIET -> {
                    if (value != null) {
                        throw new IllegalArgumentException("option " + QUIET + " takes no value: '" + option + "'");
                    }
                    options.add(REPORT_PROPERTY, "false", option);
                }
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        return options;
    }

    private static long millis(String option, String value) {
        if (value != null && !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                long millis = Long.parseLong(value);
                if (millis <= MAX_MILLIS) {
                    return millis;
                }
            } catch (NumberFormatException e) {
                // too long: reported below
            }
        }
        throw new IllegalArgumentException("option " + PREPARE_TIMEOUT + " needs a whole number of milliseconds >= 0"
                + " and <= " + MAX_MILLIS + ": '" + option + "'");
    }

    private void add(String property, String value, String option) {
        if (properties.putIfAbsent(property, value) != null) {
            throw new IllegalArgumentException("option '" + option + "' is given twice");
        }
        given.put(property, option);
    }

    /**
     * Sets the properties in {@code system}, or none of them if one was already set to another value.
     *
     * @param system the system properties
     * @throws IllegalArgumentException naming the option and the property that differ
     */
    void apply(Properties system) {
        for (Map.Entry<String, String> wanted : properties.entrySet()) {
            String existing = system.getProperty(wanted.getKey());
            if (existing != null && !same(wanted.getKey(), existing, wanted.getValue())) {
                throw new IllegalArgumentException("option '" + given.get(wanted.getKey()) + "' differs from -D"
                        + wanted.getKey() + "=" + existing + "; give one of them, or the same value");
            }
        }
        properties.forEach(system::setProperty);
    }

    /** Whether the library reads {@code existing} as it would read {@code wanted}. */
    private static boolean same(String property, String existing, String wanted) {
        if (property.equals(REPORT_PROPERTY)) {
            return existing.equalsIgnoreCase(wanted);
        }
        try {
            return Long.parseLong(existing.strip()) == Long.parseLong(wanted);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The properties to set, for tests. */
    Map<String, String> properties() {
        return Map.copyOf(properties);
    }
}
