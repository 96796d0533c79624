package org.schedctl.domain.booking;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;

/**
 * A tiered, time-based cancellation fee policy such as {@code free>=24h,50%>=2h,100%}.
 *
 * <p>Grammar: {@code free} alone, or tiers separated by commas, each {@code CHARGE[>=NOTICE]}, where CHARGE is
 * {@code free}, a percentage of the price ({@code 0%}..{@code 100%}, up to two decimals) or a fixed amount in the
 * type's currency ({@code 10.00}), and NOTICE is a duration as CLI.md accepts it ({@code 24h}, {@code 1d},
 * {@code 1h30m}, {@code PT2H}, {@code 0m}). Rules, all checked when the policy is parsed:
 * <ul>
 * <li>tiers go from the longest notice to the shortest, with strictly decreasing notices;</li>
 * <li>the last tier, and only the last, has no notice: it says what a late cancellation costs, and nothing is
 *     implied, because a silent 100% (or 0%) would be a guess about money;</li>
 * <li>fees never fall as the start gets closer (percentages compared with percentages, amounts with amounts,
 *     free with either).</li>
 * </ul>
 * A tier applies when the notice given (start minus cancellation time) is at least its threshold; the first
 * match wins, so a cancellation after the start always pays the last tier. A fixed amount is capped at the
 * price. Fees are rounded to the currency's minor unit, half-even.
 */
public final class CancellationPolicy {

    /** Never a fee. Also what a type without a policy uses. */
    public static final CancellationPolicy FREE = new CancellationPolicy(List.of(new Tier(Charge.FREE, null)));

    private static final Pattern TIER = Pattern.compile("(?<charge>[^>=<]*?)\\s*(?:>=\\s*(?<notice>.*))?");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,2})?)\\s*%");
    private static final Pattern AMOUNT = Pattern.compile("\\d{1,10}(?:\\.\\d{1,3})?");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final String EXAMPLE = "e.g. free>=24h,50%>=2h,100%";

    /** What one tier charges: a percentage of the price, or a fixed amount. Free is 0%. */
    public record Charge(boolean percentage, BigDecimal value) {
        public static final Charge FREE = new Charge(true, BigDecimal.ZERO);

        public Charge {
            Objects.requireNonNull(value, "value");
        }

        public boolean isFree() {
            return value.signum() == 0;
        }

        BigDecimal on(BigDecimal price) {
            if (isFree()) {
                return BigDecimal.ZERO;
            }
            return percentage ? price.multiply(value).divide(HUNDRED) : value.min(price);
        }

        @Override
        public String toString() {
            if (isFree()) {
                return "free";
            }
            return percentage ? value.stripTrailingZeros().toPlainString() + "%" : value.toPlainString();
        }
    }

    /** One tier: its charge, and the least notice it needs ({@code null} for the final, catch-all tier). */
    public record Tier(Charge charge, Duration minNotice) {
        public Tier {
            Objects.requireNonNull(charge, "charge");
        }

        boolean appliesTo(Duration notice) {
            return minNotice == null || notice.compareTo(minNotice) >= 0;
        }

        @Override
        public String toString() {
            return minNotice == null ? charge.toString() : charge + ">=" + formatNotice(minNotice);
        }
    }

    /**
     * The outcome of a cancellation: the amount charged (zero when waived), the tier that applied (also when
     * waived, for the history), and whether the fee was waived.
     */
    public record Fee(BigDecimal amount, Currency currency, Tier tier, boolean waived) {
    }

    private final List<Tier> tiers;

    private CancellationPolicy(List<Tier> tiers) {
        this.tiers = List.copyOf(tiers);
    }

    /** A stored policy, where none means {@link #FREE}. */
    public static CancellationPolicy parseOrFree(String text) {
        return text == null || text.isBlank() ? FREE : parse(text);
    }

    public static CancellationPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("empty cancellation policy. Give tiers like free>=24h,50%>=2h,100%, or just free");
        }
        String policy = text.trim();
        List<Tier> tiers = new ArrayList<>();
        for (String part : policy.split(",", -1)) {
            tiers.add(parseTier(part.trim(), policy));
        }
        validate(tiers, policy);
        return new CancellationPolicy(tiers);
    }

    private static Tier parseTier(String part, String policy) {
        Matcher m = TIER.matcher(part);
        if (part.isEmpty() || !m.matches()) {
            throw badTier(part, policy);
        }
        Charge charge = parseCharge(m.group("charge"), part, policy);
        String notice = m.group("notice");
        if (notice == null) {
            return new Tier(charge, null);
        }
        try {
            return new Tier(charge, Durations.parse(notice));
        } catch (InvalidInputException e) {
            throw new InvalidInputException("bad notice '" + notice + "' in cancellation policy '" + policy
                    + "'. Use a duration such as 24h, 90m, 1d or PT2H, " + EXAMPLE);
        }
    }

    private static Charge parseCharge(String text, String part, String policy) {
        String charge = text.trim().toLowerCase(Locale.ROOT);
        if (charge.equals("free")) {
            return Charge.FREE;
        }
        Matcher percent = PERCENT.matcher(charge);
        if (percent.matches()) {
            BigDecimal value = new BigDecimal(percent.group(1));
            if (value.compareTo(HUNDRED) > 0) {
                throw new InvalidInputException("percentage " + value.toPlainString() + "% in cancellation policy '"
                        + policy + "' is over 100%. Use 0% to 100% of the price");
            }
            return new Charge(true, value);
        }
        if (AMOUNT.matcher(charge).matches()) {
            return new Charge(false, new BigDecimal(charge));
        }
        throw badTier(part, policy);
    }

    private static void validate(List<Tier> tiers, String policy) {
        for (int i = 0; i < tiers.size(); i++) {
            Tier tier = tiers.get(i);
            boolean last = i == tiers.size() - 1;
            if (tier.minNotice() == null && !last) {
                throw new InvalidInputException("tier '" + tier + "' in cancellation policy '" + policy
                        + "' has no >= but is not the last. Only the final tier may leave out the notice, " + EXAMPLE);
            }
            if (tier.minNotice() != null && last) {
                throw new InvalidInputException("cancellation policy '" + policy + "' does not say what a later cancellation costs. "
                        + "End it with a tier without >=, e.g. " + policy + ",100%");
            }
            if (i == 0) {
                continue;
            }
            Tier before = tiers.get(i - 1);
            if (tier.minNotice() != null && tier.minNotice().compareTo(before.minNotice()) >= 0) {
                throw new InvalidInputException("tier '" + tier + "' in cancellation policy '" + policy
                        + "' must need less notice than the tier before it ('" + before
                        + "'). List tiers from the longest notice to the shortest");
            }
            for (Tier earlier : tiers.subList(0, i)) {
                if (chargesLess(tier.charge(), earlier.charge())) {
                    throw new InvalidInputException("tier '" + tier + "' in cancellation policy '" + policy
                            + "' charges less than the earlier tier '" + earlier
                            + "'. Fees may only stay or grow as the start gets closer");
                }
            }
        }
    }

    private static boolean chargesLess(Charge later, Charge earlier) {
        if (earlier.isFree()) {
            return false;
        }
        if (later.isFree()) {
            return true;
        }
        return later.percentage() == earlier.percentage() && later.value().compareTo(earlier.value()) < 0;
    }

    private static InvalidInputException badTier(String part, String policy) {
        return new InvalidInputException("bad tier '" + part + "' in cancellation policy '" + policy
                + "'. Write CHARGE>=NOTICE with CHARGE free, a percentage like 50% or an amount like 10.00, " + EXAMPLE);
    }

    public List<Tier> tiers() {
        return tiers;
    }

    /** True when no tier ever charges anything. */
    public boolean isFree() {
        return tiers.stream().allMatch(tier -> tier.charge().isFree());
    }

    /**
     * Refuses fixed amounts finer than the currency's minor unit (10.005 EUR, 10.5 JPY), so that a type's policy
     * is checked when the type is saved rather than when a student cancels.
     */
    public void checkCurrency(Currency currency) {
        int digits = minorDigits(currency);
        for (Tier tier : tiers) {
            Charge charge = tier.charge();
            if (!charge.percentage() && charge.value().stripTrailingZeros().scale() > digits) {
                throw new InvalidInputException("amount " + charge + " in cancellation policy '" + this + "' has more decimals than "
                        + currency.getCurrencyCode() + " allows (" + digits + "). Round it to the currency's minor unit");
            }
        }
    }

    /**
     * The fee for cancelling at {@code cancelledAt} an appointment that starts at {@code start}.
     *
     * @param price the appointment's price (not negative), in {@code currency}
     */
    public Fee evaluate(BigDecimal price, Currency currency, Instant start, Instant cancelledAt, boolean waived) {
        Objects.requireNonNull(price, "price");
        if (price.signum() < 0) {
            throw new IllegalArgumentException("negative price " + price);
        }
        int digits = minorDigits(currency);
        Duration notice = Duration.between(cancelledAt, start);
        Tier applied = tiers.stream().filter(tier -> tier.appliesTo(notice)).findFirst()
                .orElseThrow(() -> new IllegalStateException("a validated policy ends with a catch-all tier"));
        BigDecimal amount = waived ? BigDecimal.ZERO : applied.charge().on(price);
        return new Fee(amount.setScale(digits, RoundingMode.HALF_EVEN), currency, applied, waived);
    }

    private static int minorDigits(Currency currency) {
        int digits = currency.getDefaultFractionDigits();
        if (digits < 0) {
            throw new InvalidInputException("currency " + currency.getCurrencyCode()
                    + " has no minor unit, so fees cannot be rounded. Use a national currency such as EUR");
        }
        return digits;
    }

    /** Notices print in hours and minutes (24h, not 1d), the way operators write them. */
    static String formatNotice(Duration notice) {
        if (notice.isZero()) {
            return "0m";
        }
        StringBuilder text = new StringBuilder();
        long hours = notice.toHours();
        if (hours > 0) text.append(hours).append('h');
        if (notice.toMinutesPart() > 0) text.append(notice.toMinutesPart()).append('m');
        if (notice.toSecondsPart() > 0) text.append(notice.toSecondsPart()).append('s');
        return text.toString();
    }

    /** The canonical form: lower case, no spaces, notices in hours/minutes; parsing it gives an equal policy. */
    @Override
    public String toString() {
        return tiers.stream().map(Tier::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CancellationPolicy policy && toString().equals(policy.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
