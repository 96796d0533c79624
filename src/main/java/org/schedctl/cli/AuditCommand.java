package org.schedctl.cli;

import java.time.Instant;

import org.schedctl.domain.TimeInput;
import org.schedctl.service.AuditService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "The audit log: every change, with who, when, what and from which command.",
        subcommands = {AuditCommand.ListAudit.class})
public final class AuditCommand {

    @Command(name = "list", description = "List audit rows (administrators see all; others the rows about themselves).")
    static final class ListAudit extends BaseCommand {
        @Option(names = "--entity", paramLabel = "E", description = "Only this entity (table), e.g. users, appointments") String entity;
        @Option(names = "--actor", paramLabel = "USER", description = "Only changes made by this user (email or id)") String actor;
        @Option(names = "--since", paramLabel = "T", description = "Only changes at or after this time") String since;
        @Option(names = "--limit", paramLabel = "N", description = "At most the newest N rows (default 1000)") int limit = 1000;

        @Override
        protected int execute(AppContext ctx) {
            Instant from = since == null ? null : TimeInput.parseInstant(since, ctx.displayZone(null));
            ctx.output(null).print(services().audit().list(entity, actor, from, limit));
            return 0;
        }
    }
}
