package org.schedctl.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.Text;

/**
 * The one way every {@code -f/--file} option writes a file.
 * <ul>
 * <li>An existing directory means "write into it" under the command's default file name, as {@code cp} and
 * {@code curl -O} do; it is never replaced.</li>
 * <li>A symbolic link is refused rather than followed or replaced (exit 2): a link planted where a report goes
 * must not redirect the write to another file.</li>
 * <li>The bytes go to a temporary file in the same directory, are forced to disk, and the temporary file is
 * renamed over the target in one step, so a failed or interrupted write leaves any old file intact.</li>
 * <li>Secret output (attachments, appointment exports: names, emails, notes) is created 0600; other output is
 * 0644, or keeps the mode of the file it replaces.</li>
 * </ul>
 * Hand-written because no library in the dependency set does "atomic replace without following links": the
 * JDK's {@code Files.move(ATOMIC_MOVE)} is the primitive, the checks around it are what this class adds.
 */
public final class OutputFile {
    private static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> SHARED = PosixFilePermissions.fromString("rw-r--r--");

    /** What writes a file's bytes. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private OutputFile() {
    }

    /**
     * Writes {@code body} to {@code given} (or into it, under {@code defaultName}, if it is a directory) and returns
     * the path written.
     */
    public static Path write(Path given, String defaultName, boolean secret, Body body) {
        Path target = resolve(given, defaultName);
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Set<PosixFilePermission> mode = secret ? SECRET : SHARED;
            if (!secret && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
            }
            // createTempFile makes the file 0600 with O_EXCL, so nobody can read it or swap it while it is written.
            temp = Files.createTempFile(dir, ".schedctl-", ".part");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                OutputStream out = Channels.newOutputStream(channel);
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, mode);
            // The target may have become a link or a directory since resolve(): check again just before the rename.
            refuseLinkOrDirectory(target);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("cannot write " + Text.printable(target.toString()) + ": the directory "
                    + Text.printable(String.valueOf(dir)) + " does not exist. Create it or give another path with -f");
        } catch (FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName().replace("Exception", "");
            throw new InvalidInputException("cannot write " + Text.printable(target.toString()) + " (" + Text.printable(reason)
                    + "). Check the path and its permissions");
        } catch (IOException e) {
            throw new InvalidInputException("cannot write " + Text.printable(target.toString()) + " (" + Text.printable(e.getMessage())
                    + "). Check the path and its permissions");
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Best effort: the temporary name starts with a dot and ends in .part.
                }
            }
        }
        return target;
    }

    /** The file {@code given} names: itself, or {@code defaultName} inside it when it is a directory. */
    static Path resolve(Path given, String defaultName) {
        Path target = given;
        if (Files.isDirectory(given, LinkOption.NOFOLLOW_LINKS)) {
            target = given.resolve(safeName(defaultName));
        }
        refuseLinkOrDirectory(target);
        return target;
    }

    private static void refuseLinkOrDirectory(Path target) {
        if (Files.isSymbolicLink(target)) {
            throw new InvalidInputException(Text.printable(target.toString())
                    + " is a symbolic link; schedctl does not write through links. Give the path of a regular file or a directory with -f");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(Text.printable(target.toString()) + " is a directory. Give a file name with -f");
        }
    }

    /**
     * A default name reduced to one harmless path component: separators, control characters and leading dots go,
     * so a stored name such as {@code ../../.bashrc} cannot leave the directory or hide in it.
     */
    static String safeName(String name) {
        String n = name == null ? "" : name;
        StringBuilder sb = new StringBuilder(n.length());
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            sb.append(c == '/' || c == '\\' || Character.isISOControl(c) || Text.isBidiControl(c) ? '_' : c);
        }
        String s = sb.toString().replaceFirst("^[.\\s]+", "").strip();
        if (s.length() > 200) {
            s = s.substring(0, 200);
        }
        return s.isEmpty() ? "schedctl-output" : s;
    }
}
