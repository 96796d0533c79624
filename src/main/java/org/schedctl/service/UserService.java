package org.schedctl.service;

import java.time.ZoneId;
import java.util.List;

import org.schedctl.domain.Checked;
import org.schedctl.domain.Role;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.store.Database;
import org.schedctl.store.dao.InstructorSettingsDao;
import org.schedctl.store.dao.UserDao;

public final class UserService {
    private final Database db;

    public UserService(Database db) {
        this.db = db;
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
            long id = users.insert(email, name, role.dbName(), zone, phone, locale);
            if (role == Role.INSTRUCTOR) {
                handle.attach(InstructorSettingsDao.class).ensure(id);
            }
            return users.find(String.valueOf(id)).orElseThrow();
        });
    }

    public List<User> list(String role) {
        String r = role == null ? null : Role.parse(role).dbName();
        return db.inTransaction(handle -> handle.attach(UserDao.class).list(r));
    }

    public User show(String ident) {
        return db.inTransaction(handle -> Lookups.user(handle, ident));
    }
}
