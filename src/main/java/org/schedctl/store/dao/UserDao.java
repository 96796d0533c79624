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
    /**
     * The directory columns of users (the runtime role may read no others, V48) and, where the acting user may see
     * them, the contact columns from user_contacts: for themselves, for administrators, and for an instructor's
     * own students. Elsewhere phone, locale and created_at are null. A sealed phone number reads as null here;
     * UserService opens it ({@link #sealedPhones}).
     */
    String SELECT = """
            SELECT u.id, u.email, u.name, u.role, u.timezone, c.phone, c.locale, u.active, c.created_at
              FROM users u LEFT JOIN user_contacts c ON c.id = u.id
            """;

    /** Adds a user; returns the id (reading the row back goes through {@link #find}, which applies the contact rule). */
    @SqlUpdate("""
            INSERT INTO users (email, name, role, timezone, phone, locale)
            VALUES (:email, :name, :role, :timezone, :phone, coalesce(:locale, 'en'))
            """)
    @GetGeneratedKeys("id")
    long insert(@Bind("email") String email, @Bind("name") String name, @Bind("role") String role,
                @Bind("timezone") String timezone, @Bind("phone") String phone, @Bind("locale") String locale);

    /** By id (all digits) or by email, case-insensitively: the database's one reading of a name, resolve_name. */
    @SqlQuery(SELECT + " WHERE u.id = resolve_name('user', :ident)")
    Optional<User> find(@Bind("ident") String ident);

    @SqlQuery(SELECT + " WHERE (:role::text IS NULL OR u.role = :role) ORDER BY u.id")
    List<User> list(@Bind("role") String role);

    /** A phone number sealed under encryption.key (V68), as user_contacts shows it to the acting user. */
    record SealedPhone(long id, byte[] sealed, String keyId) {
    }

    /** The sealed phone numbers among {@code ids} that the acting user may see (the rule of user_contacts). */
    @SqlQuery("SELECT id, phone_sealed AS sealed, phone_key_id AS key_id FROM user_contacts WHERE id = ANY(:ids) AND phone_sealed IS NOT NULL")
    @RegisterConstructorMapper(SealedPhone.class)
    List<SealedPhone> sealedPhones(@Bind("ids") long[] ids);

    /** Stores a user's phone number sealed (the clear column emptied): the seal binds the id, so it follows the insert. */
    @SqlUpdate("UPDATE users SET phone = NULL, phone_sealed = :sealed, phone_key_id = :keyId WHERE id = :id")
    int sealPhone(@Bind("id") long id, @Bind("sealed") byte[] sealed, @Bind("keyId") String keyId);

    @SqlUpdate("UPDATE users SET timezone = :timezone WHERE id = :id")
    int setTimezone(@Bind("id") long id, @Bind("timezone") String timezone);
}
