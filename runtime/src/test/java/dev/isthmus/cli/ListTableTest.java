package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** `list`'s table is padded by hand (no java.util.Formatter at start-up): the same text as the printf it replaced. */
class ListTableTest {

    private static String row(String... c) {
        StringBuilder b = new StringBuilder();
        LifecycleCommands.List.row(b, c[0], c[1], c[2], c[3], c[4], c[5]);
        return b.toString();
    }

    @Test
    void columnsAreAlignedAsPrintfAlignedThem() {
        String[][] rows = {
            {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"},
            {"c1", "4242", "running", "/b", "2026-12-02T13:40:12.123456789Z", "root"},
            // wider than their columns: written whole, one space after each
            {"an-id-longer-than-twenty", "123456789", "stopped-ish", "/".repeat(45), "x".repeat(31), ""},
            {"", "0", "", "", "", ""},
        };
        for (String[] r : rows) {
            assertEquals(String.format("%-20s %-8s %-10s %-40s %-30s %s%n", (Object[]) r), row(r));
        }
    }
}
