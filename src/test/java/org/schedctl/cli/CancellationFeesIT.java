package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.TestDatabase;

/** Cancellation fees end to end: type policy (else the instructor's, else free), price, currency, notice, waiver. */
class CancellationFeesIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** One row of the table: the type's policy and price, how long before the start the cancel comes, the fee. */
    private record Case(String policy, String price, String currency, Duration notice, boolean waive, String expectedFee) {
    }

    private static final List<Case> CASES = List.of(
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofHours(48), false, "0.00"),
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofHours(24), false, "0.00"),
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofHours(24).minusMinutes(1), false, "20.00"),
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofHours(2), false, "20.00"),
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofMinutes(90), false, "40.00"),
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofMinutes(-10), false, "40.00"),
            new Case("free>=24h,50%>=2h,100%", "40", "EUR", Duration.ofMinutes(30), true, "0.00"),
            new Case("33.33%>=1h,100%", "10", "EUR", Duration.ofHours(2), false, "3.33"),
            new Case("50%", "0.15", "USD", Duration.ofHours(5), false, "0.08"),
            new Case("50%", "0.25", "USD", Duration.ofHours(5), false, "0.12"),
            new Case("33.33%>=1h,100%", "1000", "JPY", Duration.ofHours(3), false, "333"),
            new Case("10.00>=24h,25.00", "20", "EUR", Duration.ofHours(3), false, "20.00"),
            new Case("10.00>=24h,25.00", "20", "EUR", Duration.ofHours(30), false, "10.00"),
            new Case(null, "40", "EUR", Duration.ofHours(1), false, "30.00"), // the instructor's policy: 75%
            new Case(null, null, null, Duration.ofHours(1), false, null));

    @Test
    void feesMatchThePolicyTable() {
        BookingFixture f = new BookingFixture(db, "fee");
        f.cli().run("instructor", "settings", f.instructor, "--cancel-policy", "free>=48h,75%").ok();
        String student = f.student("pat");
        ZoneId newYork = ZoneId.of("America/New_York");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            List<String> typeArgs = new ArrayList<>(List.of("--duration", "30m"));
            if (c.policy() != null) {
                typeArgs.addAll(List.of("--cancel-policy", c.policy()));
            }
            if (c.price() != null) {
                typeArgs.addAll(List.of("--price", c.price(), "--currency", c.currency()));
            }
            String type = f.type("t" + i, typeArgs.toArray(String[]::new));
            LocalDateTime local = LocalDateTime.of(2027, 6, 4 + i / 8, 9, 0).plusMinutes(60L * (i % 8));
            JsonNode booked = f.cli().run("-o", "json", "book", "--instructor", f.instructor, "--type", type,
                    "--student", student, "--at", local.toString()).ok().json();
            Instant start = local.atZone(newYork).toInstant();
            List<String> cancel = new ArrayList<>(List.of("-o", "json", "cancel", booked.get("reference").asText()));
            if (c.waive()) {
                cancel.add("--waive-fee");
            }
            JsonNode cancelled = f.cliAt(start.minus(c.notice())).run(cancel.toArray(String[]::new)).ok().json();
            String fee = cancelled.get("fee").isNull() ? null : cancelled.get("fee").decimalValue().toPlainString();
            if (!java.util.Objects.equals(c.expectedFee(), fee)) {
                failures.add(c + " gave fee " + fee);
            }
            assertEquals(c.currency() == null ? null : c.currency(),
                    cancelled.get("currency").isNull() ? null : cancelled.get("currency").asText());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(1, f.count("SELECT count(*) FROM appointments WHERE fee_waived"), "the waiver is recorded");
    }
}
