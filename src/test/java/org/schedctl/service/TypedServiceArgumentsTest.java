package org.schedctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Services take values already read into types (issue 10): no public service method, and no record a service takes,
 * has a String parameter whose name says it is a date, time, zone or duration. Commands read the text (Converters,
 * Checked, TimeInput.Arg) and the refusal is reported where the service checks it.
 */
class TypedServiceArgumentsTest {
    /** Names of text that is really a date, an instant, a zone or a duration. */
    private static final Pattern TIME_LIKE = Pattern.compile(
            "(?i)(from|to|tz|zone|timezone|date|day|days|at|until|every|duration|interval|length|holdFor|offsets|reminders|"
                    + "when|since|fromText|toText|fromDay|toDay|start|end)");

    @Test
    void noServiceTakesAnUnparsedDateZoneOrDuration() throws Exception {
        List<String> offenders = new ArrayList<>();
        List<Class<?>> classes = serviceClasses();
        assertTrue(classes.size() > 15, "found the service classes: " + classes);
        for (Class<?> type : classes) {
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (!Modifier.isPublic(method.getModifiers()) || method.isSynthetic()) {
                    continue;
                }
                for (Parameter p : method.getParameters()) {
                    assertTrue(p.isNamePresent(), "compiled with -parameters");
                    if (p.getType() == String.class && TIME_LIKE.matcher(p.getName()).matches()) {
                        offenders.add(type.getSimpleName() + "." + method.getName() + "(" + p.getName() + ")");
                    }
                }
                for (Class<?> arg : method.getParameterTypes()) {
                    if (arg.isRecord() && arg.getName().startsWith("org.schedctl.service")) {
                        for (RecordComponent c : arg.getRecordComponents()) {
                            if (c.getType() == String.class && TIME_LIKE.matcher(c.getName()).matches()) {
                                offenders.add(arg.getSimpleName() + "." + c.getName());
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offenders.stream().distinct().sorted().toList());
    }

    private static List<Class<?>> serviceClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(Services.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/schedctl/service");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                classes.add(Class.forName("org.schedctl.service." + f.getFileName().toString().replace(".class", "")));
            }
        }
        return classes;
    }
}
