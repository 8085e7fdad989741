package dev.drover.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The CLI's logging, set up in code (found by logback through ServiceLoader) rather than from a
 * logback.xml: parsing XML would cost every command its parser. Logs go to stderr as {@code
 * 12:00:00.000 WARN  c.z.h.HikariPool - message}; {@code DROVER_LOG} sets the level (default WARN),
 * {@code DROVER_FABRIC8_LOG} fabric8's (default OFF: what fails there reaches the command, which
 * reports it in one line). A {@code logback.configurationFile} or a
 * {@code logback-test.xml} on the class path wins.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Line layout = new Line();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> err = new ConsoleAppender<>();
        err.setContext(context);
        err.setName("ERR");
        err.setTarget("System.err");
        err.setEncoder(encoder);
        err.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("DROVER_LOG", Level.WARN));
        root.addAppender(err);
        context.getLogger("io.fabric8").setLevel(level("DROVER_FABRIC8_LOG", Level.OFF));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Level level(String variable, Level otherwise) {
        String v = System.getenv(variable);
        return v == null || v.isBlank() ? otherwise : Level.toLevel(v.strip(), otherwise);
    }

    /** {@code HH:mm:ss.SSS LEVEL logger - message}, and the stack trace when there is one. */
    static final class Line extends LayoutBase<ILoggingEvent> {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
        private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(20);

        @Override
        public String doLayout(ILoggingEvent e) {
            StringBuilder b = new StringBuilder(128)
                    .append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp())))
                    .append(' ')
                    .append(String.format("%-5s", e.getLevel()))
                    .append(' ')
                    .append(abbreviator.abbreviate(e.getLoggerName()))
                    .append(" - ")
                    .append(e.getFormattedMessage())
                    .append(CoreConstants.LINE_SEPARATOR);
            if (e.getThrowableProxy() != null) {
                b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append(CoreConstants.LINE_SEPARATOR);
            }
            return b.toString();
        }
    }
}
