package dev.isthmus.properties.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * For the properties that drive the real CLI: tries from {@code -Disthmus.props.tries} (each try
 * is a chain of CLI calls, each a JVM start), and a skip with the reason when the host cannot run
 * containers (not root, no static busybox).
 */
public final class LifecycleTries implements AroundPropertyHook, SkipExecutionHook {

    /** Tries per property when -Disthmus.props.tries is not given: keeps the three modes at about 3 minutes. */
    public static final int DEFAULT_TRIES = 6;

    static int tries() {
        return Integer.getInteger("isthmus.props.tries", DEFAULT_TRIES);
    }

    /** Longest chain of calls in one try (-Disthmus.props.steps). */
    static int steps() {
        return Integer.getInteger("isthmus.props.steps", 14);
    }

    /** Declared on a class, it applies to the class's properties. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        context.attributes().setTries(tries());
        // BOUNDED by default (jqwik.shrinking.bounded.seconds, 180 s in junit-platform.properties):
        // each replay is a chain of JVM starts, and a FULL shrink of a 14-call chain ran for over
        // 13 minutes here. -Disthmus.props.shrinking=FULL shrinks to the shortest chain however long it takes.
        context.attributes().setShrinking(ShrinkingMode.valueOf(System.getProperty("isthmus.props.shrinking", "BOUNDED")));
        return property.execute();
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return SkipResult.skip("needs root to create containers");
        }
        if (!staticBusybox()) {
            return SkipResult.skip("needs a static /bin/busybox (Debian's busybox-static) for the container's rootfs");
        }
        return SkipResult.doNotSkip();
    }

    /** No PT_INTERP path in the file: the static build, which runs in a bare rootfs. */
    private static boolean staticBusybox() {
        Path busybox = Path.of("/bin/busybox");
        try {
            return Files.isRegularFile(busybox)
                    && !new String(Files.readAllBytes(busybox), java.nio.charset.StandardCharsets.ISO_8859_1).contains("/lib64/ld-linux");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
