package org.schedctl.domain;

import java.time.Instant;

public record User(long id, String email, String name, String role, String timezone, String phone, String locale,
                   boolean active, Instant createdAt) {
    public boolean hasInstructorRole() {
        return "instructor".equals(role);
    }
}
