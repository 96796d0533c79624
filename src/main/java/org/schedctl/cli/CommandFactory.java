package org.schedctl.cli;

import picocli.CommandLine;

/**
 * Creates picocli's command objects and hands each the process's {@link Backend} (its database and {@code Services}),
 * so no command builds a service itself; kcctl injects its context the same way.
 */
public final class CommandFactory implements CommandLine.IFactory {
    private final Backend backend;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    public CommandFactory(Backend backend) {
        this.backend = backend;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        K made = fallback.create(cls);
        if (made instanceof BaseCommand command) {
            command.inject(backend);
        }
        return made;
    }
}
