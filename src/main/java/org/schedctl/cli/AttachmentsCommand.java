package org.schedctl.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.service.AttachmentService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "attachments", description = "Files attached to an appointment (material, forms, notes); up to 25 MiB each.",
        subcommands = {AttachmentsCommand.Add.class, AttachmentsCommand.ListAttachments.class, AttachmentsCommand.Get.class,
                AttachmentsCommand.Remove.class})
public final class AttachmentsCommand {

    static AttachmentService service(AppContext ctx) {
        return new AttachmentService(ctx.database(), org.schedctl.store.ContentCipher.from(ctx.config()));
    }

    @Command(name = "add", description = "Attach a file (or stdin, with -) to an appointment.")
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "REF") String reference;
        @Parameters(index = "1", paramLabel = "FILE", description = "The file, or - for stdin (then --name is required)") String file;
        @Option(names = "--name", paramLabel = "NAME", description = "File name to store (default: the file's own name)") String name;
        @Option(names = "--content-type", paramLabel = "TYPE", description = "Media type, e.g. application/pdf (default: from the name)")
        String contentType;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(service(ctx).add(reference, file, ctx.in(), name, contentType));
            return 0;
        }
    }

    @Command(name = "list", description = "List the attachments of an appointment.")
    static final class ListAttachments extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(service(ctx).list(reference));
            return 0;
        }
    }

    @Command(name = "get", description = "Write an attachment's content to FILE, or to stdout.")
    static final class Get extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write to FILE instead of stdout") Path file;

        @Override
        protected int execute(AppContext ctx) {
            AttachmentService.Content content = service(ctx).content(id);
            if (file != null) {
                ExportCommand.writeFile(ctx, file, out -> out.write(content.bytes()));
                return 0;
            }
            if (ctx.stdoutIsTerminal() && !content.attachment().contentType().startsWith("text/")) {
                throw new InvalidInputException("attachment " + content.attachment().id() + " is " + content.attachment().contentType()
                        + " and stdout is a terminal. Give -f FILE, or redirect stdout to a file");
            }
            ctx.out().flush();
            try {
                ctx.binaryOut().write(content.bytes());
                ctx.binaryOut().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove an attachment (its uploader or an administrator).")
    static final class Remove extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(service(ctx).remove(id));
            return 0;
        }
    }
}
