package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.availability.WeeklyMerge.Group;
import org.schedctl.domain.availability.WeeklyMerge.Incoming;
import org.schedctl.domain.availability.WeeklyMerge.Plan;
import org.schedctl.domain.availability.WeeklyMerge.Rule;
import org.schedctl.domain.availability.WeeklyMerge.Stored;

class WeeklyMergeTest {
    private static final Group MON = new Group(1, DayOfWeek.MONDAY, "Europe/Berlin", null, null, null);
    private static final Group MON_TYPED = new Group(1, DayOfWeek.MONDAY, "Europe/Berlin", 7L, null, null);
    private static final Group TUE = new Group(1, DayOfWeek.TUESDAY, "Europe/Berlin", null, null, null);
    private static final Group OTHER = new Group(2, DayOfWeek.MONDAY, "Europe/Berlin", null, null, null);

    private static LocalTime t(String hhmm) {
        return LocalTime.parse(hhmm);
    }

    private static Incoming in(long line, Group g, String from, String to) {
        return new Incoming(line, g, t(from), t(to));
    }

    private static List<Rule> sorted(List<Rule> rules) {
        return rules.stream().sorted(Comparator.comparing((Rule r) -> r.group().day()).thenComparing(Rule::start)).toList();
    }

    @Test
    void overlappingAndTouchingRangesOfOneGroupBecomeOneRule() {
        Plan plan = WeeklyMerge.plan(List.of(in(2, MON, "09:00", "11:00"), in(3, MON, "11:00", "12:00"), in(4, MON, "10:00", "10:30"),
                in(5, MON, "14:00", "15:00")), List.of(), false);
        assertEquals(List.of(new Rule(MON, t("09:00"), t("12:00")), new Rule(MON, t("14:00"), t("15:00"))), sorted(plan.inserts()));
        assertEquals(0, plan.unchanged());
        assertEquals(List.of(), plan.deleteIds());
    }

    @Test
    void differentTypesZonesOrDaysDoNotMerge() {
        Plan plan = WeeklyMerge.plan(List.of(in(2, MON, "09:00", "11:00"), in(3, MON_TYPED, "10:00", "12:00"), in(4, TUE, "10:00", "12:00")),
                List.of(), false);
        assertEquals(3, plan.inserts().size());
    }

    @Test
    void anAlreadyCoveredRangeIsUnchangedAndAnExtendingOneReplacesTheStoredRule() {
        List<Stored> stored = List.of(new Stored(10, MON, t("09:00"), t("12:00")), new Stored(11, TUE, t("09:00"), t("10:00")));
        Plan same = WeeklyMerge.plan(List.of(in(2, MON, "09:00", "12:00"), in(3, MON, "10:00", "11:00")), stored, false);
        assertEquals(List.of(), same.inserts());
        assertEquals(List.of(), same.deleteIds());
        assertEquals(2, same.unchanged());

        Plan extend = WeeklyMerge.plan(List.of(in(2, MON, "11:30", "13:00")), stored, false);
        assertEquals(List.of(new Rule(MON, t("09:00"), t("13:00"))), extend.inserts());
        assertEquals(List.of(10L), extend.deleteIds(), "the Tuesday rule is outside the merge");
        assertEquals(0, extend.unchanged());
    }

    @Test
    void replaceDropsEveryOtherRuleOfTheNamedInstructorsOnly() {
        List<Stored> stored = List.of(new Stored(10, MON, t("09:00"), t("12:00")), new Stored(11, TUE, t("09:00"), t("10:00")),
                new Stored(12, OTHER, t("09:00"), t("10:00")));
        Plan plan = WeeklyMerge.plan(List.of(in(2, MON, "09:00", "12:00"), in(3, MON, "14:00", "15:00")), stored, true);
        assertEquals(List.of(11L), plan.deleteIds());
        assertEquals(List.of(new Rule(MON, t("14:00"), t("15:00"))), plan.inserts());
        assertEquals(1, plan.unchanged());
    }
}
