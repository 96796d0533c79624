package org.schedctl.service;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.store.Database;

/** School terms (issue 16): named ranges of dates that `book --for-term` books weekly lessons through. */
public final class TermService {
    private final Database db;

    public TermService(Database db) {
        this.db = db;
    }

    public record TermView(String name, LocalDate from, LocalDate to, Instant createdAt) {
    }

    private static final String SELECT = "SELECT name, starts_on AS \"from\", ends_on AS \"to\", created_at FROM terms";

    public TermView add(String name, LocalDate from, LocalDate to) {
        String text = Text.line(name, "term name", 100);
        if (to.isBefore(from)) {
            throw new InvalidInputException("the term ends on " + to + ", before it starts on " + from + ". Give --from before --to");
        }
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "add terms");
            int added = handle.createUpdate("INSERT INTO terms (name, starts_on, ends_on) VALUES (:name, :from, :to) "
                            + "ON CONFLICT (name) DO NOTHING")
                    .bind("name", text).bind("from", from).bind("to", to).execute();
            if (added == 0) {
                throw new ConflictException("a term named '" + text + "' exists. Pick another name (see `schedctl term list`)");
            }
            return find(handle, text);
        });
    }

    public List<TermView> list() {
        return db.inTransaction(handle -> handle.createQuery(SELECT + " ORDER BY starts_on, name")
                .map(ConstructorMapper.of(TermView.class)).list());
    }

    /** The term of {@code book --for-term NAME}, read in the caller's transaction. */
    static TermView find(Handle handle, String name) {
        return handle.createQuery(SELECT + " WHERE name = :name").bind("name", name == null ? "" : name.trim())
                .map(ConstructorMapper.of(TermView.class)).findOne()
                .orElseThrow(() -> new NotFoundException("term '" + Text.printable(String.valueOf(name))
                        + "' not found. See `schedctl term list`"));
    }
}
