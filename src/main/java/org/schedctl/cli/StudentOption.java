package org.schedctl.cli;

import picocli.CommandLine.Option;

/** {@code --student USER}: a student by email or id, resolved by the service inside its transaction. */
public final class StudentOption {
    @Option(names = "--student", paramLabel = "USER")
    String value;

    public String value() {
        return value;
    }
}
