package org.schedctl.calendar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.util.Properties;

/**
 * Windows time zone names (what Outlook and Exchange write as TZID, e.g. "Eastern Standard Time") mapped to IANA
 * zones through CLDR's windowsZones table. The table is a resource generated from ICU4J's copy of CLDR (see its
 * header) rather than ICU4J itself, a 14 MB dependency for 140 lines.
 */
public final class WindowsZones {
    private static final Properties TABLE = load();

    private WindowsZones() {
    }

    /** The IANA zone for a Windows zone name, or null when the name is not one. */
    public static String toIana(String windowsName) {
        String iana = TABLE.getProperty(windowsName.trim());
        return iana != null && ZoneId.getAvailableZoneIds().contains(iana) ? iana : null;
    }

    private static Properties load() {
        Properties table = new Properties();
        try (InputStream in = WindowsZones.class.getResourceAsStream("windows-zones.properties")) {
            if (in == null) {
                throw new IllegalStateException("windows-zones.properties is missing from the build");
            }
            table.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return table;
    }
}
