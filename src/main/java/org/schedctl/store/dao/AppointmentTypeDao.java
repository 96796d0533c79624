package org.schedctl.store.dao;

import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.schedctl.domain.AppointmentType;

@RegisterConstructorMapper(AppointmentType.class)
public interface AppointmentTypeDao {
    String COLUMNS = """
            id, instructor_id, slug, name, description, duration, price, currency, buffer_before, buffer_after,
            min_notice, max_advance, slot_interval, requires_confirmation, capacity, cancel_policy,
            reschedule_policy, location, archived_at, created_at""";

    @SqlUpdate("""
            INSERT INTO appointment_types (instructor_id, slug, name, description, duration, price, currency,
                buffer_before, buffer_after, min_notice, max_advance, slot_interval, requires_confirmation, capacity,
                cancel_policy, reschedule_policy, location)
            VALUES (:instructorId, :slug, :name, :description, :duration, :price, :currency, :bufferBefore,
                :bufferAfter, :minNotice, :maxAdvance, :slotInterval, :requiresConfirmation, :capacity, :cancelPolicy,
                :reschedulePolicy, :location)
            """)
    @GetGeneratedKeys({"id", "instructor_id", "slug", "name", "description", "duration", "price", "currency",
            "buffer_before", "buffer_after", "min_notice", "max_advance", "slot_interval", "requires_confirmation",
            "capacity", "cancel_policy", "reschedule_policy", "location", "archived_at", "created_at"})
    AppointmentType insert(@BindMethods NewType type);

    /** By id (all digits) or slug: the database's one reading of a name, resolve_name. */
    @SqlQuery("SELECT " + COLUMNS + " FROM appointment_types WHERE id = resolve_name('type', :ident)")
    Optional<AppointmentType> find(@Bind("ident") String ident);

    @SqlQuery("SELECT " + COLUMNS + """
             FROM appointment_types
            WHERE (:instructorId::bigint IS NULL OR instructor_id = :instructorId) AND (:all OR archived_at IS NULL)
            ORDER BY instructor_id, slug
            """)
    List<AppointmentType> list(@Bind("instructorId") Long instructorId, @Bind("all") boolean includeArchived);

    @SqlUpdate("UPDATE appointment_types SET archived_at = now() WHERE id = :id AND archived_at IS NULL")
    int archive(@Bind("id") long id);

    record NewType(long instructorId, String slug, String name, String description, java.time.Duration duration,
                   java.math.BigDecimal price, String currency, java.time.Duration bufferBefore,
                   java.time.Duration bufferAfter, java.time.Duration minNotice, java.time.Duration maxAdvance,
                   java.time.Duration slotInterval, boolean requiresConfirmation, int capacity, String cancelPolicy,
                   String reschedulePolicy, String location) {
    }
}
