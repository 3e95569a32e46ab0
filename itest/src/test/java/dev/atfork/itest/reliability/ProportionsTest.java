package dev.atfork.itest.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hang benchmarks' statistics against values worked out by hand, and JvmHangMatrix's table of them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProportionsTest {

    @Test
    void fisherIsTheHypergeometricTail() {
        // 3 of 4 vs 1 of 4: P(K >= 3) = (C(4,3) C(4,1) + C(4,4) C(4,0)) / C(8,4) = 17/70
        assertEquals(17.0 / 70, Proportions.fisherOneSided(3, 4, 1, 4), 1e-12);
        // the other way round: P(K >= 1) = 1 - C(4,0) C(4,4) / C(8,4) = 69/70
        assertEquals(69.0 / 70, Proportions.fisherOneSided(1, 4, 3, 4), 1e-12);
        assertEquals(1, Proportions.fisherOneSided(0, 1000, 0, 1000), 1e-12);
    }

    @Test
    void wilsonIntervalMatchesTheFormula() {
        double[] none = Proportions.wilson95(0, 1000);
        assertEquals(0, none[0], 1e-12);
        assertEquals(3.8415 / 1003.8415, none[1], 1e-5); // z^2 / (n + z^2)
        double[] tenth = Proportions.wilson95(10, 100);
        assertEquals(0.0552, tenth[0], 1e-4);
        assertEquals(0.1744, tenth[1], 1e-4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Proportions.wilson95(0, 0));
        assertTrue(e.getMessage().contains("n must be positive"), e.getMessage());
    }

    @Test
    void matrixTableSumsJvmsAndTestsAgainstDefaults() {
        List<String> lines = List.of(
                "result round=1 parent=gc case=defaults forks=250 ok=249 jvmHangs=1 streamHangs=0 crashes=0 sites=fork/vm-mutex:1 gcs=10 seconds=5.0 loadavg=2.0",
                "result round=2 parent=gc case=defaults forks=250 ok=250 jvmHangs=0 streamHangs=0 crashes=0 sites= gcs=10 seconds=5.0 loadavg=3.0",
                "result round=1 parent=gc case=concat forks=250 ok=243 jvmHangs=7 streamHangs=0 crashes=0 sites=step/vm-mutex:5,fork/vm-mutex:2 gcs=10 seconds=20.0 loadavg=4.0",
                "result round=2 parent=gc case=concat forks=250 ok=247 jvmHangs=3 streamHangs=0 crashes=0 sites=step/vm-mutex:3 gcs=10 seconds=10.0 loadavg=5.0",
                "not a result line");
        String table = JvmHangMatrix.table(lines);
        String p = String.format(java.util.Locale.ROOT, "%.3f", Proportions.fisherOneSided(10, 500, 1, 500));
        assertTrue(table.contains("| GC-heavy | no `+` | 500 | **1** | 1 0 | 0.2 % [0.0–1.1] | fork/vm-mutex 1 |  |  | 0, 0 | 500 ms |"), table);
        assertTrue(table.contains("| GC-heavy | `\"child \" + i` (indy) | 500 | **10** | 7 3 | 2.0 % [1.1–3.6] | fork/vm-mutex 2, step/vm-mutex 8 | " + p + " | 1.000 | 0, 0 | 1500 ms |"), table);
        assertTrue(table.contains("load average at the end of each JVM: 2.00–5.00"), table);
    }
}
