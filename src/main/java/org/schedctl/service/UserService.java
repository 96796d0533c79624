package org.schedctl.service;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.Handle;

import org.schedctl.domain.Checked;
import org.schedctl.domain.Role;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.store.ContentCipher;
import org.schedctl.store.Database;
import org.schedctl.store.dao.InstructorSettingsDao;
import org.schedctl.store.dao.UserDao;

public final class UserService {
    private final Database db;
    /** Seals phone numbers when encryption.key is set and opens them for whoever may read them. */
    private final ContentCipher cipher;

    public UserService(Database db, ContentCipher cipher) {
        this.db = db;
        this.cipher = cipher;
    }

    public record NewUser(String name, String email, String role, Checked<ZoneId> timezone, String phone, String locale) {
    }

    public User add(NewUser request) {
        String name = Text.line(request.name(), "name", 200);
        String email = Text.email(request.email());
        Role role = request.role() == null ? Role.STUDENT : Role.parse(request.role());
        String zone = request.timezone() == null ? "UTC" : request.timezone().get().getId();
        String phone = Text.phone(request.phone());
        String locale = Text.locale(request.locale());
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "add users");
            UserDao users = handle.attach(UserDao.class);
            boolean seal = phone != null && cipher.enabled();
            long id = users.insert(email, name, role.dbName(), zone, seal ? null : phone, locale);
            if (seal) {
                ContentCipher.Sealed sealed = cipher.sealPhone(id, phone);
                users.sealPhone(id, sealed.bytes(), sealed.keyId());
            }
            if (role == Role.INSTRUCTOR) {
                handle.attach(InstructorSettingsDao.class).ensure(id);
            }
            return withPhones(handle, List.of(users.find(String.valueOf(id)).orElseThrow())).get(0);
        });
    }

    public List<User> list(String role) {
        String r = role == null ? null : Role.parse(role).dbName();
        return db.inTransaction(handle -> withPhones(handle, handle.attach(UserDao.class).list(r)));
    }

    public User show(String ident) {
        return db.inTransaction(handle -> withPhones(handle, List.of(Lookups.user(handle, ident))).get(0));
    }

    /** The users with their sealed phone numbers opened, where the acting user may see them. */
    private List<User> withPhones(Handle handle, List<User> users) {
        Map<Long, UserDao.SealedPhone> sealed = new HashMap<>();
        for (UserDao.SealedPhone p : handle.attach(UserDao.class).sealedPhones(users.stream().mapToLong(User::id).toArray())) {
            sealed.put(p.id(), p);
        }
        if (sealed.isEmpty()) {
            return users;
        }
        List<User> out = new ArrayList<>(users.size());
        for (User u : users) {
            UserDao.SealedPhone p = sealed.get(u.id());
            out.add(p == null ? u : new User(u.id(), u.email(), u.name(), u.role(), u.timezone(), cipher.openPhone(u.id(), p.keyId(), p.sealed()),
                    u.locale(), u.active(), u.createdAt()));
        }
        return out;
    }
}
