package org.schedctl.service;

import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.availability.AvailabilityCsvParser;
import org.schedctl.domain.availability.AvailabilityCsvResult;
import org.schedctl.domain.availability.BlockRow;
import org.schedctl.domain.availability.BlockRule;
import org.schedctl.domain.availability.CsvError;
import org.schedctl.domain.availability.Interval;
import org.schedctl.domain.availability.WeeklyMerge;
import org.schedctl.domain.availability.WeeklyRow;
import org.schedctl.store.AvailabilityStore;
import org.schedctl.store.AvailabilityStore.InstructorRef;
import org.schedctl.store.AvailabilityStore.TypeRef;
import org.schedctl.store.CopyWriter;
import org.schedctl.store.Database;

/**
 * `availability import`: the whole file in one transaction or nothing. The file is parsed and checked in Java,
 * names are resolved in one query per kind, weekly rows are COPYed into a staging table and merged set-based,
 * blocks are COPYed and inserted set-based, and their occurrences COPYed.
 */
public final class AvailabilityImportService {
    private final Database db;

    public AvailabilityImportService(Database db) {
        this.db = db;
    }

    public record ImportError(long line, String message) {
    }

    /** The result keys of CLI.md: rows, created, unchanged, removed, errors. */
    public record ImportResult(String file, long rows, long created, long unchanged, long removed, boolean dryRun,
                               List<ImportError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Progress of a long import: a phase name and a fraction 0..1. */
    public interface Progress {
        void report(String phase, double fraction);

        Progress NONE = (phase, fraction) -> {
        };
    }

    /** Thrown inside the transaction to roll a dry run back after it has computed what would change. */
    private static final class DryRunRollback extends RuntimeException {
        final ImportResult result;

        DryRunRollback(ImportResult result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** Thrown inside the transaction when rows fail the database checks; nothing stays written. */
    private static final class RowErrors extends RuntimeException {
        final List<CsvError> errors;

        RowErrors(List<CsvError> errors) {
            super(null, null, false, false);
            this.errors = errors;
        }
    }

    /**
     * Imports {@code input}. A file with bad rows yields a result whose errors list each of them
     * (FILE:LINE: message) and writes nothing; the caller turns that into exit 2.
     */
    public ImportResult importCsv(InputStream input, String fileName, boolean dryRun, boolean replace, Instant now,
                                  Progress progress) {
        progress.report("reading", 0);
        AvailabilityCsvResult parsed = AvailabilityCsvParser.parse(input, fileName);
        if (!parsed.ok()) {
            return failed(parsed.file(), parsed.rows(), parsed.errors());
        }
        progress.report("checking", 0.3);
        try {
            return db.inTransaction(handle -> {
                AvailabilityStore store = new AvailabilityStore(handle);
                // This transaction only: the audit triggers' transition tables and the block stage's sort hold every
                // imported row; with the default 4 MB they spill to temporary files (measured: ~3% of server CPU
                // plus the file I/O for a 100,000-row file).
                handle.execute("SET LOCAL work_mem = '64MB'");
                List<CsvError> errors = new ArrayList<>();
                Set<String> instructorNames = new HashSet<>();
                Set<String> typeNames = new HashSet<>();
                parsed.weekly().forEach(w -> {
                    instructorNames.add(w.instructor());
                    if (w.type() != null) {
                        typeNames.add(w.type());
                    }
                });
                parsed.blocks().forEach(b -> instructorNames.add(b.instructor()));
                Map<String, InstructorRef> instructors = store.resolveUsers(instructorNames);
                Map<String, TypeRef> types = store.resolveTypes(typeNames);
                Map<String, ZoneId> zones = new HashMap<>();

                progress.report("checking weekly rows", 0.4);
                List<WeeklyMerge.Incoming> weekly = new ArrayList<>(parsed.weekly().size());
                Set<Long> instructorIds = new HashSet<>();
                for (WeeklyRow row : parsed.weekly()) {
                    InstructorRef instructor = instructor(instructors, row.instructor(), fileName, row.line(), errors);
                    Long typeId = null;
                    if (row.type() != null) {
                        TypeRef type = types.get(row.type());
                        if (type == null) {
                            errors.add(new CsvError(fileName, row.line(), "unknown appointment type '" + row.type()
                                    + "'. Give a type slug or id (see `schedctl type list`)"));
                        } else if (instructor != null && type.instructorId() != instructor.id()) {
                            errors.add(new CsvError(fileName, row.line(), "appointment type '" + type.slug() + "' is not offered by "
                                    + instructor.email() + ". Name one of their types"));
                        } else {
                            typeId = type.id();
                        }
                    }
                    if (instructor == null || !errors.isEmpty()) {
                        continue;
                    }
                    ZoneId zone = row.zone() != null ? row.zone() : zones.computeIfAbsent(instructor.timezone(), ZoneId::of);
                    weekly.add(new WeeklyMerge.Incoming(row.line(), new WeeklyMerge.Group(instructor.id(), row.day(), zone.getId(),
                            typeId, row.effectiveFrom(), row.effectiveUntil()), row.start(), row.end()));
                    instructorIds.add(instructor.id());
                }

                progress.report("staging blocks", 0.55);
                store.createBlockStage();
                CopyWriter blockStage = store.blockStageWriter();
                Map<Long, List<Interval>> occurrencesByLine = new HashMap<>();
                Map<Long, InstructorRef> instructorByLine = new HashMap<>();
                Map<Long, String> kindByLine = new HashMap<>();
                Instant horizon = BlockRule.defaultHorizon(now);
                for (BlockRow row : parsed.blocks()) {
                    InstructorRef instructor = instructor(instructors, row.instructor(), fileName, row.line(), errors);
                    if (instructor == null) {
                        continue;
                    }
                    BlockRule rule;
                    List<Interval> occurrences;
                    try {
                        rule = row.toRule(zones.computeIfAbsent(instructor.timezone(), ZoneId::of));
                        rule.requireExdatesNameOccurrences(horizon, "exdate");
                        // Expanded once: the expansion checks the rule here and gives the rows stored below.
                        occurrences = rule.rrule() == null ? List.of(new Interval(rule.start(), rule.end()))
                                : rule.occurrences(horizon);
                    } catch (SchedException e) {
                        errors.add(new CsvError(fileName, row.line(), e.getMessage()));
                        continue;
                    }
                    if (errors.isEmpty()) {
                        occurrencesByLine.put(row.line(), occurrences);
                        instructorByLine.put(row.line(), instructor);
                        kindByLine.put(row.line(), row.kind().label());
                        AvailabilityService.stageBlock(blockStage, row.line(), instructor.id(), row.kind().label(), rule,
                                row.reason(), rule.rrule() == null ? null : horizon);
                    }
                }
                if (!errors.isEmpty()) {
                    throw new RowErrors(errors);
                }
                blockStage.flush();

                progress.report("merging weekly patterns", 0.7);
                long[] ids = instructorIds.stream().mapToLong(Long::longValue).toArray();
                store.lockInstructors(ids);
                AvailabilityStore.MergeCounts merge = store.apply(WeeklyMerge.plan(weekly, store.storedRules(ids), replace));
                progress.report("inserting blocks", 0.85);
                List<AvailabilityStore.InsertedBlock> inserted = parsed.blocks().isEmpty() ? List.of()
                        : store.insertStagedBlocks("import", actor(handle));
                progress.report("inserting occurrences", 0.9);
                CopyWriter occurrences = store.occurrenceWriter();
                for (AvailabilityStore.InsertedBlock block : inserted) {
                    long instructorId = instructorByLine.get(block.line()).id();
                    String kind = kindByLine.get(block.line());
                    for (Interval o : occurrencesByLine.get(block.line())) {
                        occurrences.add(block.id()).add(instructorId).add(kind).add(AvailabilityStore.range(o.start(), o.end())).endRow();
                    }
                }
                occurrences.flush();
                store.insertStagedOccurrencesOfNewBlocks();
                progress.report("done", 1);
                long blockRows = parsed.blocks().size();
                ImportResult result = new ImportResult(fileName, parsed.rows(), merge.created() + inserted.size(),
                        merge.unchanged() + (blockRows - inserted.size()), merge.removed(), dryRun, List.of());
                if (dryRun) {
                    throw new DryRunRollback(result);
                }
                return result;
            });
        } catch (DryRunRollback rollback) {
            return rollback.result;
        } catch (RowErrors rowErrors) {
            return failed(fileName, parsed.rows(), rowErrors.errors);
        }
    }

    private static InstructorRef instructor(Map<String, InstructorRef> instructors, String name, String file, long line,
                                            List<CsvError> errors) {
        InstructorRef instructor = instructors.get(name);
        if (instructor == null) {
            errors.add(new CsvError(file, line, "unknown instructor '" + name + "'. Give an instructor's email or id (see `schedctl instructor list`)"));
            return null;
        }
        if (!"instructor".equals(instructor.role())) {
            errors.add(new CsvError(file, line, "user " + instructor.email() + " is a " + instructor.role()
                    + ", not an instructor. Name an instructor"));
            return null;
        }
        return instructor;
    }

    private static long actor(org.jdbi.v3.core.Handle handle) {
        return handle.createQuery("SELECT app_current_user_id()").mapTo(Long.class).one();
    }

    private static ImportResult failed(String file, long rows, List<CsvError> errors) {
        List<ImportError> list = errors.stream().sorted(Comparator.comparingLong(CsvError::line))
                .map(e -> new ImportError(e.line(), e.message())).toList();
        return new ImportResult(file, rows, 0, 0, 0, false, list);
    }

    /** {@code FILE:LINE: message}, or {@code FILE: message} for a problem of the whole file. */
    public static String describe(ImportResult result, ImportError error) {
        return new CsvError(result.file(), error.line(), error.message()).toString();
    }

    /** The one-line summary for a failed import; the rows themselves go to stderr one per line. */
    public static InvalidInputException failure(ImportResult result) {
        return new InvalidInputException(result.errors().size() + " bad row" + (result.errors().size() == 1 ? "" : "s")
                + " in " + result.file() + "; nothing was imported. Fix the rows listed above and import again");
    }
}
