package org.schedctl.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.Text;
import org.schedctl.store.Database;

/**
 * Reads the audit log. Which rows a user sees is decided by the audit_log policies: administrators all of
 * them, everyone else the rows they caused or that are about them.
 */
public final class AuditService {
    private static final Pattern ENTITY = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_LIMIT = 100_000;

    private final Database db;

    public AuditService(Database db) {
        this.db = db;
    }

    /** One audit row as `audit list` prints it; actor is the acting user's email when visible, else their id. */
    public record AuditEntry(long id, Instant at, String actor, String command, String action, String entity,
                             String entityId, JsonNode before, JsonNode after) {
    }

    /** The newest {@code limit} rows matching the filters, oldest first. */
    public List<AuditEntry> list(String entity, String actor, Instant since, int limit) {
        if (entity != null && !ENTITY.matcher(entity.trim()).matches()) {
            throw new InvalidInputException("bad entity '" + Text.printable(entity) + "'. Give a table name such as users or appointments");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("--limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return db.inTransaction(handle -> {
            Long actorId = actor == null ? null : Lookups.user(handle, actor).id();
            List<AuditEntry> rows = new ArrayList<>(handle.createQuery("""
                            SELECT a.id, a.at, coalesce(u.email, a.actor_id::text) AS actor, a.command, a.action, a.entity,
                                   a.entity_id, a.before::text AS before, a.after::text AS after
                            FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
                            WHERE (:entity::text IS NULL OR a.entity = :entity)
                              AND (:actor::bigint IS NULL OR a.actor_id = :actor)
                              AND (:since::timestamptz IS NULL OR a.at >= :since)
                            ORDER BY a.id DESC
                            LIMIT :limit
                            """)
                    .bind("entity", entity == null ? null : entity.trim())
                    .bind("actor", actorId)
                    .bind("since", since == null ? null : OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC))
                    .bind("limit", limit)
                    .map((rs, ctx) -> new AuditEntry(rs.getLong("id"),
                            rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
                            rs.getString("command"), rs.getString("action"), rs.getString("entity"), rs.getString("entity_id"),
                            json(rs.getString("before")), json(rs.getString("after"))))
                    .list());
            Collections.reverse(rows);
            return rows;
        });
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
