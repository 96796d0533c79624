package org.schedctl.cli;

import picocli.CommandLine.Option;

/** {@code --instructor USER}: an instructor by email or id, resolved by the service inside its transaction. */
public final class InstructorOption {
    @Option(names = "--instructor", paramLabel = "USER")
    String value;

    public String value() {
        return value;
    }
}
