package org.schedctl.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

public enum Role {
    STUDENT, INSTRUCTOR, ADMIN, GUARDIAN;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.dbName().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return r;
            }
        }
        throw new InvalidInputException("unknown role '" + text + "'. Use one of "
                + Arrays.stream(values()).map(Role::dbName).collect(Collectors.joining(", ")));
    }
}
