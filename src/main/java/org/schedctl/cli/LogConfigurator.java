package org.schedctl.cli;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration in code (found through META-INF/services), so start-up loads no XML parser: library logs
 * stay off on the CLI (errors reach the user as one line from Main); SCHEDCTL_LOG_LEVEL=warn|info|debug (environment
 * or system property) shows them on stderr. A logback.xml or logback-test.xml on the class path still wins.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    private static final List<String> LIBRARIES = List.of("org.flywaydb", "com.zaxxer.hikari", "org.quartz", "net.fortuna.ical4j");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LogConfigurator.class.getClassLoader();
        if (loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        String setting = System.getProperty("SCHEDCTL_LOG_LEVEL", System.getenv("SCHEDCTL_LOG_LEVEL"));
        Level level = Level.toLevel(setting, Level.OFF);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        LIBRARIES.forEach(name -> context.getLogger(name).setLevel(level));
        if (level != Level.OFF) {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n");
            encoder.start();
            ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
            stderr.setContext(context);
            stderr.setName("STDERR");
            stderr.setTarget("System.err");
            stderr.setEncoder(encoder);
            stderr.start();
            root.addAppender(stderr);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
