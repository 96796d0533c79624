package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MessageKeysTest {
    @Test
    void plainKeysAreSentAsTheyAre() {
        assertEquals("appt:42:reminder:24h", MessageKeys.headerValue("appt:42:reminder:24h"));
        assertEquals("K7QX2M9P:booked:email:12:0#1", MessageKeys.headerValue("K7QX2M9P:booked:email:12:0#1"), "the booking outbox's key form");
    }

    @Test
    void keysThatCouldSplitAHeaderAreHashed() {
        String value = MessageKeys.headerValue("k\r\nBcc: mallory@evil.example");
        assertTrue(value.matches("sha256:[0-9a-f]{64}"), value);
        assertEquals(value, MessageKeys.headerValue("k\r\nBcc: mallory@evil.example"), "stable, so a resend is recognisable");
    }

    @Test
    void messageIdIsStablePerKeyAndDistinctAcrossKeys() {
        String id = MessageKeys.messageId("appt:42:booked");
        assertTrue(id.matches("<[0-9a-f]{40}@schedctl>"), id);
        assertEquals(id, MessageKeys.messageId("appt:42:booked"));
        assertNotEquals(id, MessageKeys.messageId("appt:43:booked"));
    }

    @Test
    void oneLineRemovesEveryKindOfLineBreak() {
        String line = MessageKeys.oneLine("a\r\nb\u2028c\u0085d\te");
        assertEquals("a b c d e", line);
        assertFalse(line.chars().anyMatch(Character::isISOControl));
    }
}
