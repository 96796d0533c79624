package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.schedctl.domain.InvalidInputException;

class CancellationPolicyTest {
    private static final Instant START = Instant.parse("2027-03-15T14:00:00Z");
    private static final String STANDARD = "free>=24h,50%>=2h,100%";

    /** Notice is start minus cancellation time; a negative notice is a cancellation after the start. */
    @ParameterizedTest(name = "{0}: {1} {2} cancelled {3} before, waived {4} -> {5} by tier {6}")
    @CsvSource(delimiter = '|', value = {
            // the standard tiers, boundaries exactly on the thresholds
            STANDARD + " | 80.00   | EUR | PT48H       | false | 0.00   | free>=24h",
            STANDARD + " | 80.00   | EUR | PT24H       | false | 0.00   | free>=24h",
            STANDARD + " | 80.00   | EUR | PT23H59M59S | false | 40.00  | 50%>=2h",
            STANDARD + " | 80.00   | EUR | PT2H        | false | 40.00  | 50%>=2h",
            STANDARD + " | 80.00   | EUR | PT1H59M59S  | false | 80.00  | 100%",
            STANDARD + " | 80.00   | EUR | PT0S        | false | 80.00  | 100%",
            STANDARD + " | 80.00   | EUR | -PT1H       | false | 80.00  | 100%",
            STANDARD + " | 80.00   | EUR | -PT72H      | false | 80.00  | 100%",
            // waiver: nothing charged, but the tier that would have applied is kept for the history
            STANDARD + " | 80.00   | EUR | PT1H        | true  | 0.00   | 100%",
            STANDARD + " | 80.00   | EUR | -PT1H       | true  | 0.00   | 100%",
            // rounding to the minor unit, half-even: EUR 2 digits, JPY 0, KWD and BHD 3
            STANDARD + " | 10.05   | EUR | PT3H        | false | 5.02   | 50%>=2h",
            STANDARD + " | 10.15   | EUR | PT3H        | false | 5.08   | 50%>=2h",
            STANDARD + " | 1255    | JPY | PT3H        | false | 628    | 50%>=2h",
            STANDARD + " | 1253    | JPY | PT3H        | false | 626    | 50%>=2h",
            STANDARD + " | 1253    | JPY | PT1H        | false | 1253   | 100%",
            STANDARD + " | 10.125  | KWD | PT3H        | false | 5.062  | 50%>=2h",
            STANDARD + " | 10.375  | KWD | PT3H        | false | 5.188  | 50%>=2h",
            STANDARD + " | 80      | EUR | PT30H       | false | 0.00   | free>=24h",
            "33.33%>=1h,100% | 10.000 | BHD | PT2H       | false | 3.333  | 33.33%>=1h",
            "12.5%>=1h,100%  | 99.99  | USD | PT2H        | false | 12.50  | 12.5%>=1h",
            // fixed amounts, capped at the price
            "10.00>=2h,25.00 | 80.00   | EUR | PT3H        | false | 10.00  | 10.00>=2h",
            "10.00>=2h,25.00 | 80.00   | EUR | PT1H        | false | 25.00  | 25.00",
            "10.00>=2h,25.00 | 15.00   | EUR | PT1H        | false | 15.00  | 25.00",
            "500>=2h,1000    | 1500    | JPY | PT1H        | false | 1000   | 1000",
            "free>=48h,10.00>=24h,50% | 30.00 | EUR | PT30H | false | 10.00  | 10.00>=24h",
            "free>=48h,10.00>=24h,50% | 30.00 | EUR | PT1H  | false | 15.00  | 50%",
            // free always, zero-notice tier, full always, a free session
            "free            | 80.00   | EUR | -PT1H       | false | 0.00   | free",
            "free>=0m,100%   | 80.00   | EUR | PT0S        | false | 0.00   | free>=0m",
            "free>=0m,100%   | 80.00   | EUR | -PT1S       | false | 80.00  | 100%",
            "100%            | 80.00   | EUR | PT240H      | false | 80.00  | 100%",
            STANDARD + " | 0.00    | EUR | PT1H        | false | 0.00   | 100%",
    })
    void fees(String policy, String price, String currency, String notice, boolean waived, String expectedFee, String expectedTier) {
        CancellationPolicy.Fee fee = CancellationPolicy.parse(policy).evaluate(new BigDecimal(price), Currency.getInstance(currency),
                START, START.minus(Duration.parse(notice)), waived);
        // BigDecimal.equals compares the scale too: a EUR fee must carry two decimals, a JPY fee none
        assertEquals(new BigDecimal(expectedFee), fee.amount());
        assertEquals(expectedTier, fee.tier().toString());
        assertEquals(currency, fee.currency().getCurrencyCode());
        assertEquals(waived, fee.waived());
    }

    @ParameterizedTest(name = "''{0}'' prints as {1}")
    @CsvSource(delimiter = '|', value = {
            " FREE >= 24H , 50 % >= 2h, 100%  | free>=24h,50%>=2h,100%",
            "free>=1d,50%>=PT2H,100%          | free>=24h,50%>=2h,100%",
            "free>=1h30m,12.50%               | free>=1h30m,12.5%",
            "0%>=48h,10.00>=2h,25.00          | free>=48h,10.00>=2h,25.00",
            "Free                             | free",
            "100.0%                           | 100%",
            "free>=0m,100%                    | free>=0m,100%",
    })
    void canonicalForm(String text, String canonical) {
        CancellationPolicy policy = CancellationPolicy.parse(text);
        assertEquals(canonical, policy.toString());
        assertEquals(policy, CancellationPolicy.parse(canonical));
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "''                          | empty cancellation policy",
            "free>=24h                   | does not say what a later cancellation costs. End it with a tier without >=, e.g. free>=24h,100%",
            "50%>=2h,free>=24h           | does not say what a later cancellation costs",
            "50%,100%                    | tier '50%' in cancellation policy '50%,100%' has no >= but is not the last",
            "free>=2h,50%>=24h,100%      | tier '50%>=24h' in cancellation policy 'free>=2h,50%>=24h,100%' must need less notice than the tier before it ('free>=2h')",
            "free>=24h,50%>=1d,100%      | must need less notice than the tier before it",
            "150%                        | percentage 150% in cancellation policy '150%' is over 100%. Use 0% to 100% of the price",
            "100.01%                     | is over 100%",
            "-10%                        | bad tier '-10%'",
            "50%>=2x,100%                | bad notice '2x' in cancellation policy '50%>=2x,100%'",
            "50%>=-2h,100%               | bad notice '-2h'",
            "50%>2h,100%                 | bad tier '50%>2h'",
            "50%<2h,100%                 | bad tier '50%<2h'",
            "half>=2h,100%               | bad tier 'half>=2h'",
            "12.345%,100%                | bad tier '12.345%'",
            "10.0001                     | bad tier '10.0001'",
            "free>=24h,,100%             | bad tier ''",
            ",100%                       | bad tier ''",
            "100%>=24h,free              | tier 'free' in cancellation policy '100%>=24h,free' charges less than the earlier tier '100%>=24h'",
            "50%>=24h,20%>=2h,100%       | charges less than the earlier tier '50%>=24h'",
            "20.00>=24h,10.00            | charges less than the earlier tier '20.00>=24h'",
    })
    void invalidPolicies(String text, String messagePart) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CancellationPolicy.parse(text));
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void amountsAndPercentagesAreNotComparedWithEachOther() {
        // 20.00 then 10% can be either more or less depending on the price, so neither order is refused
        assertDoesNotThrow(() -> CancellationPolicy.parse("20.00>=24h,10%"));
        assertDoesNotThrow(() -> CancellationPolicy.parse("50%>=24h,10.00"));
    }

    @Test
    void amountsMustFitTheCurrency() {
        CancellationPolicy threeDecimals = CancellationPolicy.parse("10.005>=2h,100%");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> threeDecimals.checkCurrency(Currency.getInstance("EUR")));
        assertEquals("amount 10.005 in cancellation policy '10.005>=2h,100%' has more decimals than EUR allows (2). "
                + "Round it to the currency's minor unit", e.getMessage());
        assertDoesNotThrow(() -> threeDecimals.checkCurrency(Currency.getInstance("KWD")));
        assertThrows(InvalidInputException.class, () -> CancellationPolicy.parse("10.50>=2h,100%").checkCurrency(Currency.getInstance("JPY")));
        assertDoesNotThrow(() -> CancellationPolicy.parse("10.00>=2h,100%").checkCurrency(Currency.getInstance("JPY")));
        assertDoesNotThrow(() -> CancellationPolicy.parse("10.50>=2h,100%").checkCurrency(Currency.getInstance("EUR")));
    }

    @Test
    void currencyWithoutMinorUnitIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CancellationPolicy.parse(STANDARD)
                .evaluate(BigDecimal.TEN, Currency.getInstance("XAU"), START, START, false));
        assertTrue(e.getMessage().startsWith("currency XAU has no minor unit"), e.getMessage());
    }

    @Test
    void noStoredPolicyMeansFree() {
        assertEquals(CancellationPolicy.FREE, CancellationPolicy.parseOrFree(null));
        assertEquals(CancellationPolicy.FREE, CancellationPolicy.parseOrFree("  "));
        assertTrue(CancellationPolicy.parseOrFree("free").isFree());
        assertFalse(CancellationPolicy.parse(STANDARD).isFree());
    }
}
