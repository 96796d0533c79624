package org.schedctl.store.dao;

import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.schedctl.domain.User;

@RegisterConstructorMapper(User.class)
public interface UserDao {
    String COLUMNS = "id, email, name, role, timezone, phone, locale, active, created_at";

    @SqlUpdate("""
            INSERT INTO users (email, name, role, timezone, phone, locale)
            VALUES (:email, :name, :role, :timezone, :phone, coalesce(:locale, 'en'))
            """)
    @GetGeneratedKeys({"id", "email", "name", "role", "timezone", "phone", "locale", "active", "created_at"})
    User insert(@Bind("email") String email, @Bind("name") String name, @Bind("role") String role,
                @Bind("timezone") String timezone, @Bind("phone") String phone, @Bind("locale") String locale);

    /** By id (all digits) or by email, case-insensitively. */
    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE CASE WHEN :ident ~ '^[0-9]{1,18}$' THEN id = :ident::bigint ELSE lower(email) = lower(:ident) END")
    Optional<User> find(@Bind("ident") String ident);

    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE (:role::text IS NULL OR role = :role) ORDER BY id")
    List<User> list(@Bind("role") String role);

    @SqlUpdate("UPDATE users SET timezone = :timezone WHERE id = :id")
    int setTimezone(@Bind("id") long id, @Bind("timezone") String timezone);
}
