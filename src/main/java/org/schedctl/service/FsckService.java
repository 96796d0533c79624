package org.schedctl.service;

import java.sql.Array;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.schedctl.domain.availability.BlockRule;
import org.schedctl.domain.availability.Interval;
import org.schedctl.domain.availability.RecurrenceRule;
import org.schedctl.store.AvailabilityStore;
import org.schedctl.domain.Checked;
import org.schedctl.store.Database;

/**
 * {@code schedctl fsck}: checks the invariants the application relies on, as the built-in administrator (who
 * sees every row), and with {@code --fix} repairs what can be repaired through the same service calls the
 * commands and the daemon make. What only a person can decide (two bookings in one slot, a seat too many, a
 * booking outside the instructor's hours, an attachment whose bytes changed) is reported and never touched.
 */
public final class FsckService {
    /** The checks, in the order they run and print. */
    public static final List<String> CHECKS = List.of("overlap", "capacity", "occurrences", "horizon", "outside_availability",
            "outbox_cancelled", "expired_holds", "offer_without_hold", "analytics", "attachment_checksum", "sealed_phone");
    /** A recurring block may lag the rolling horizon by this much (the daemon extends it every 6 hours). */
    static final java.time.Duration HORIZON_SLACK = java.time.Duration.ofDays(1);

    /** One violation: which check, what it is about, what is wrong, what --fix does, and whether it was fixed. */
    public record Violation(String check, String subject, String problem, String fix, boolean fixed) {
        Violation fixedNow() {
            return new Violation(check, subject, problem, fix, true);
        }
    }

    private final Database db;
    private final Clock clock;

    /** The configured keys: encrypted attachments are opened and checked too. */
    private final org.schedctl.store.ContentCipher cipher;
    private final HoldService holds;
    private final AnalyticsService analytics;
    private final AvailabilityService availability;

    /** Repairs go through the services' own calls (the ones the daemon's tasks make). */
    public FsckService(Database db, Clock clock, org.schedctl.store.ContentCipher cipher, HoldService holds,
                       AnalyticsService analytics, AvailabilityService availability) {
        this.db = db;
        this.clock = clock;
        this.cipher = cipher;
        this.holds = holds;
        this.analytics = analytics;
        this.availability = availability;
    }

    static final String NOT_FIXED = "none: reported only, a person decides";

    public List<Violation> run(boolean fix) {
        db.useTransaction(h -> Access.requireAdmin(h, "run fsck"));
        Instant now = clock.instant();
        List<Violation> all = new ArrayList<>();
        all.addAll(overlaps());
        all.addAll(overCapacity());
        all.addAll(occurrences(fix, now));
        all.addAll(horizon(fix, now));
        all.addAll(outsideAvailability(now));
        all.addAll(outboxForCancelled(fix));
        all.addAll(expiredHolds(fix, now));
        all.addAll(offersWithoutHold(fix));
        all.addAll(analytics(fix));
        all.addAll(attachmentChecksums());
        all.addAll(sealedPhones());
        return all;
    }

    private List<Violation> query(String check, String fix, String sql, Instant now) {
        return db.inTransaction(h -> {
            var q = h.createQuery(sql);
            if (sql.contains(":now")) {
                q.bind("now", now);
            }
            return q.map((rs, ctx) -> new Violation(check, rs.getString("subject"), rs.getString("problem"), fix, false)).list();
        });
    }

    /**
     * Active bookings of one instructor whose blocked ranges overlap (seats of one group session aside): one pass
     * over the bookings sorted by start, comparing each with the furthest end before it, not a self-join.
     */
    List<Violation> overlaps() {
        return query("overlap", NOT_FIXED, """
                WITH sessions AS (
                    SELECT instructor_id, session_key, min(lower(blocked)) AS lo, max(upper(blocked)) AS hi, min(reference) AS reference
                    FROM appointments WHERE status IN ('held', 'pending', 'confirmed')
                    GROUP BY instructor_id, session_key
                ), ordered AS (
                    SELECT s.*, max(hi) OVER w AS before_hi, lag(reference) OVER (PARTITION BY instructor_id ORDER BY lo, session_key) AS prev_reference
                    FROM sessions s
                    WINDOW w AS (PARTITION BY instructor_id ORDER BY lo, session_key ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                )
                SELECT 'appointment ' || reference AS subject,
                       'overlaps an earlier active booking of the same instructor' ||
                       coalesce(' (' || prev_reference || ')', '') || ', which the constraint appointments_no_overlap forbids' AS problem
                FROM ordered WHERE lo < before_hi
                ORDER BY instructor_id, lo
                """, null);
    }

    List<Violation> overCapacity() {
        return query("capacity", NOT_FIXED, """
                SELECT 'session ' || min(a.reference) || ' (' || t.slug || ')' AS subject,
                       count(*) || ' active seats for a capacity of ' || t.capacity AS problem
                FROM appointments a JOIN appointment_types t ON t.id = a.type_id
                WHERE a.status IN ('held', 'pending', 'confirmed')
                GROUP BY a.instructor_id, a.session_key, t.slug, t.capacity
                HAVING count(*) > t.capacity
                ORDER BY 1
                """, null);
    }

    private record Block(long id, long instructorId, String kind, Instant start, Instant end, String zone, String rrule,
                         List<Instant> exdates, Instant expandedUntil) {
    }

    /** Stored occurrences that differ from what the block's rule gives up to where it was expanded. */
    List<Violation> occurrences(boolean fix, Instant now) {
        List<Violation> found = new ArrayList<>();
        db.useTransaction(h -> {
            List<Block> blocks = h.createQuery("""
                    SELECT id, instructor_id, kind, starts_at, ends_at, timezone, rrule, exdates, expanded_until FROM time_blocks ORDER BY id""")
                    .map((rs, ctx) -> {
                        List<Instant> ex = new ArrayList<>();
                        Array arr = rs.getArray("exdates");
                        if (arr != null) {
                            for (Object o : (Object[]) arr.getArray()) {
                                ex.add(((java.sql.Timestamp) o).toInstant());
                            }
                        }
                        return new Block(rs.getLong("id"), rs.getLong("instructor_id"), rs.getString("kind"),
                                rs.getTimestamp("starts_at").toInstant(), rs.getTimestamp("ends_at").toInstant(), rs.getString("timezone"),
                                rs.getString("rrule"), ex, rs.getTimestamp("expanded_until") == null ? null : rs.getTimestamp("expanded_until").toInstant());
                    }).list();
            for (Block b : blocks) {
                BlockRule rule = new BlockRule(b.start(), b.end(), ZoneId.of(b.zone()), b.rrule() == null ? null : RecurrenceRule.parse(b.rrule()), b.exdates());
                List<Interval> expected = b.rrule() == null ? List.of(new Interval(b.start(), b.end()))
                        : b.expandedUntil() == null ? List.of() : rule.occurrences(b.expandedUntil());
                Set<String> want = new HashSet<>();
                for (Interval o : expected) {
                    want.add(AvailabilityStore.range(o.start(), o.end()));
                }
                Set<String> have = new HashSet<>();
                h.createQuery("SELECT lower(during) AS s, upper(during) AS e FROM time_block_occurrences WHERE block_id = :id")
                        .bind("id", b.id())
                        .map((rs, ctx) -> AvailabilityStore.range(rs.getTimestamp("s").toInstant(), rs.getTimestamp("e").toInstant()))
                        .forEach(have::add);
                if (want.equals(have)) {
                    continue;
                }
                Set<String> missing = new HashSet<>(want);
                missing.removeAll(have);
                Set<String> extra = new HashSet<>(have);
                extra.removeAll(want);
                Violation v = new Violation("occurrences", "time block " + b.id(), missing.size() + " occurrence(s) of its rule missing, "
                        + extra.size() + " stored that its rule does not give", "rewrite the block's occurrences from its rule", false);
                if (fix) {
                    h.createUpdate("DELETE FROM time_block_occurrences WHERE block_id = :id").bind("id", b.id()).execute();
                    var batch = h.prepareBatch("INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during) VALUES (:b, :i, :k, :d::tstzrange)");
                    for (String r : want) {
                        batch.bind("b", b.id()).bind("i", b.instructorId()).bind("k", b.kind()).bind("d", r).add();
                    }
                    if (!want.isEmpty()) {
                        batch.execute();
                    }
                    v = v.fixedNow();
                }
                found.add(v);
            }
        });
        return found;
    }

    List<Violation> horizon(boolean fix, Instant now) {
        Instant due = BlockRule.defaultHorizon(now).minus(HORIZON_SLACK);
        List<Violation> found = query("horizon", "extend the occurrences to the rolling horizon (what the daemon's block-horizon task does)", """
                SELECT 'time block ' || id AS subject,
                       'recurring, but its occurrences stop at ' || coalesce(expanded_until::text, 'nothing') || ', behind the rolling horizon' AS problem
                FROM time_blocks WHERE rrule IS NOT NULL AND (expanded_until IS NULL OR expanded_until < :now)
                ORDER BY id
                """, due);
        if (fix && !found.isEmpty()) {
            availability.extendHorizon(now);
            return found.stream().map(Violation::fixedNow).toList();
        }
        return found;
    }

    /**
     * Active bookings that have not ended and do not lie within the instructor's free windows for their type
     * (weekly hours and available blocks, less unavailable blocks and vacations). Past bookings are history and
     * not checked; a booking outside the hours may be one the instructor accepted on purpose, so never "fixed".
     */
    List<Violation> outsideAvailability(Instant now) {
        return query("outside_availability", NOT_FIXED, """
                SELECT 'appointment ' || a.reference AS subject,
                       'starts ' || a.starts_at || ', outside the instructor''s availability for its type' AS problem
                FROM appointments a
                WHERE a.status IN ('held', 'pending', 'confirmed') AND a.ends_at > :now
                  -- instructor_free_time (R__20) is the free time the guard and the lister read
                  AND NOT EXISTS (SELECT 1 FROM instructor_free_time(ARRAY[a.instructor_id], ARRAY[a.type_id], a.starts_at, a.ends_at) f
                                  WHERE tstzrange(a.starts_at, a.ends_at, '[)') <@ f.free)
                ORDER BY a.starts_at
                """, now);
    }

    List<Violation> outboxForCancelled(boolean fix) {
        String sql = """
                FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id
                WHERE n.status IN ('pending', 'failed') AND n.kind = 'reminder' AND a.status IN ('cancelled', 'declined')
                """;
        List<Violation> found = query("outbox_cancelled", "cancel the notification", """
                SELECT 'notification ' || n.id AS subject, 'a ' || n.status || ' reminder for ' || a.status || ' appointment ' || a.reference AS problem
                """ + sql + " ORDER BY n.id", null);
        if (fix && !found.isEmpty()) {
            db.useTransaction(h -> h.execute("UPDATE appointment_notifications SET status = 'cancelled' WHERE id IN (SELECT n.id " + sql + ")"));
            return found.stream().map(Violation::fixedNow).toList();
        }
        return found;
    }

    List<Violation> expiredHolds(boolean fix, Instant now) {
        List<Violation> found = query("expired_holds", "expire the hold and offer the slot to the waitlist (what the daemon's hold-expiry task does)", """
                SELECT 'appointment ' || a.reference AS subject, 'held, but the hold expired at ' || b.expires_at AS problem
                FROM appointments a JOIN booking_sessions b ON b.id = a.booking_session_id
                WHERE a.status = 'held' AND b.expires_at <= :now
                UNION ALL
                SELECT 'appointment ' || a.reference, 'held without a booking session, so it never expires'
                FROM appointments a WHERE a.status = 'held' AND a.booking_session_id IS NULL
                ORDER BY 1
                """, now);
        if (fix && !found.isEmpty()) {
            holds.expireHolds(now);
            Set<String> left = new HashSet<>(query("expired_holds", "", """
                    SELECT 'appointment ' || a.reference AS subject, '' AS problem FROM appointments a
                    LEFT JOIN booking_sessions b ON b.id = a.booking_session_id
                    WHERE a.status = 'held' AND (b.id IS NULL OR b.expires_at <= :now)
                    """, now).stream().map(Violation::subject).toList());
            return found.stream().map(v -> left.contains(v.subject()) ? v : v.fixedNow()).toList();
        }
        return found;
    }

    List<Violation> offersWithoutHold(boolean fix) {
        String where = """
                FROM appointment_waitlist w LEFT JOIN appointments a ON a.id = w.offered_appointment_id
                WHERE w.status = 'offered' AND (a.id IS NULL OR a.status <> 'held')
                """;
        List<Violation> found = query("offer_without_hold", "put the entry back in the queue (status waiting)", """
                SELECT 'waitlist entry ' || w.id AS subject,
                       'offered, but ' || CASE WHEN a.id IS NULL THEN 'no appointment holds the slot' ELSE 'its appointment ' || a.reference || ' is ' || a.status END AS problem
                """ + where + " ORDER BY w.id", null);
        if (fix && !found.isEmpty()) {
            db.useTransaction(h -> h.execute("UPDATE appointment_waitlist SET status = 'waiting', offered_appointment_id = NULL, offer_expires_at = NULL "
                    + "WHERE id IN (SELECT w.id " + where + ")"));
            return found.stream().map(Violation::fixedNow).toList();
        }
        return found;
    }

    /** Stored daily facts whose counts differ from the appointments of that local day. */
    List<Violation> analytics(boolean fix) {
        List<LocalDate> days = new ArrayList<>();
        List<Violation> found = db.inTransaction(h -> h.createQuery("""
                WITH facts AS (
                    SELECT (a.starts_at AT TIME ZONE u.timezone)::date AS day, a.instructor_id, coalesce(a.currency, '') AS currency,
                           count(*) AS booked, count(*) FILTER (WHERE a.status = 'completed') AS completed,
                           count(*) FILTER (WHERE a.status = 'cancelled') AS cancelled,
                           count(*) FILTER (WHERE a.status = 'no_show') AS no_show,
                           count(*) FILTER (WHERE a.status = 'declined') AS declined
                    FROM appointments a JOIN users u ON u.id = a.instructor_id
                    WHERE a.status <> 'held'
                    GROUP BY 1, 2, 3
                )
                SELECT s.day, u.email, s.currency, s.booked AS stored, coalesce(f.booked, 0) AS actual
                FROM appointment_analytics s JOIN users u ON u.id = s.instructor_id
                LEFT JOIN facts f USING (day, instructor_id, currency)
                WHERE (s.booked, s.completed, s.cancelled, s.no_show, s.declined)
                      IS DISTINCT FROM (coalesce(f.booked, 0), coalesce(f.completed, 0), coalesce(f.cancelled, 0), coalesce(f.no_show, 0), coalesce(f.declined, 0))
                ORDER BY s.day, u.email, s.currency
                """).map((rs, ctx) -> {
                    LocalDate day = rs.getObject("day", LocalDate.class);
                    days.add(day);
                    return new Violation("analytics", day + " " + rs.getString("email") + (rs.getString("currency").isEmpty() ? "" : " " + rs.getString("currency")),
                            "stored facts (" + rs.getLong("stored") + " booked) differ from the appointments (" + rs.getLong("actual") + " booked)",
                            "recompute the day (analytics aggregate --from DAY --to DAY)", false);
                }).list());
        if (fix && !found.isEmpty()) {
            for (LocalDate day : new java.util.TreeSet<>(days)) {
                analytics.aggregate(Checked.of(day), Checked.of(day), clock);
            }
            return found.stream().map(Violation::fixedNow).toList();
        }
        return found;
    }

    List<Violation> attachmentChecksums() {
        List<Violation> found = new ArrayList<>(query("attachment_checksum", NOT_FIXED + " (restore the file from a backup)", """
                SELECT 'attachment ' || f.id || ' (' || f.file_name || ')' AS subject,
                       'its content no longer matches its SHA-256' || CASE WHEN octet_length(f.content) <> f.size_bytes THEN ' or size' ELSE '' END AS problem
                FROM appointment_attachments f
                WHERE f.content_key_id IS NULL AND (encode(sha256(f.content), 'hex') <> f.sha256 OR octet_length(f.content) <> f.size_bytes)
                ORDER BY f.id
                """, null));
        // Sealed contents are opened here, one at a time: the database cannot check what it cannot read.
        List<Long> sealed = db.inTransaction(h -> h.createQuery("SELECT id FROM appointment_attachments WHERE content_key_id IS NOT NULL ORDER BY id")
                .mapTo(Long.class).list());
        for (long id : sealed) {
            Violation v = db.inTransaction(h -> h.createQuery("SELECT id, file_name, sha256, content, content_key_id FROM appointment_attachments WHERE id = :id")
                    .bind("id", id).map((rs, ctx) -> {
                        String subject = "attachment " + id + " (" + rs.getString("file_name") + ")";
                        String fix = NOT_FIXED + " (restore the file from a backup)";
                        try {
                            byte[] plain = cipher.open(rs.getString("content_key_id"), rs.getBytes("content"), rs.getString("sha256"), "it");
                            return AttachmentService.sha256(plain).equals(rs.getString("sha256")) ? null
                                    : new Violation("attachment_checksum", subject, "its content no longer matches its SHA-256", fix, false);
                        } catch (org.schedctl.domain.InvalidInputException e) {
                            return new Violation("attachment_checksum", subject, "cannot be checked: encrypted under key "
                                    + rs.getString("content_key_id") + ", which is not configured", "none: set encryption.key or encryption.old_keys", false);
                        } catch (org.schedctl.domain.ConflictException e) {
                            return new Violation("attachment_checksum", subject, "its encrypted content does not authenticate (damaged or altered)", fix, false);
                        }
                    }).findOne().orElse(null));
            if (v != null) {
                found.add(v);
            }
        }
        return found;
    }

    /** Every sealed phone number (V68) opens under the configured keys: sent SMS depend on it. */
    List<Violation> sealedPhones() {
        String fix = NOT_FIXED + " (set the user's phone again, or restore it from a backup)";
        return db.inTransaction(h -> h.createQuery("SELECT id, email, phone_sealed, phone_key_id FROM user_contacts WHERE phone_sealed IS NOT NULL ORDER BY id")
                .map((rs, ctx) -> {
                    long id = rs.getLong("id");
                    String subject = "user " + id + " (" + rs.getString("email") + ")";
                    try {
                        cipher.openPhone(id, rs.getString("phone_key_id"), rs.getBytes("phone_sealed"));
                        return null;
                    } catch (org.schedctl.domain.InvalidInputException e) {
                        return new Violation("sealed_phone", subject, "cannot be checked: the phone number is encrypted under key "
                                + rs.getString("phone_key_id") + ", which is not configured", "none: set encryption.key or encryption.old_keys", false);
                    } catch (org.schedctl.domain.ConflictException e) {
                        return new Violation("sealed_phone", subject, "the encrypted phone number does not authenticate (damaged, altered or moved from another user)", fix, false);
                    }
                }).stream().filter(java.util.Objects::nonNull).toList());
    }
}
