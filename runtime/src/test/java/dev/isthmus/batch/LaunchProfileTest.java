package dev.isthmus.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.plan.Arg;
import dev.isthmus.plan.Program;
import dev.isthmus.plan.Step;
import dev.isthmus.sys.Syscall;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The profiled program: a timing pair before every step, the image and process starts kept on their steps. */
class LaunchProfileTest {

    private static Program program() {
        List<Step> steps = new ArrayList<>();
        steps.add(Step.of(Syscall.CLOSE_RANGE, "mark fds close-on-exec", new Arg.Imm(3, null), new Arg.Imm(-1, null), new Arg.Imm(4, null)));
        steps.add(Step.of(Syscall.EXECVEAT, "exec the init image", new Arg.Slot(Program.IMAGE), new Arg.Str(""), new Arg.Imm(0, null),
                new Arg.Imm(0, null), new Arg.Imm(0x1000, null)));
        steps.add(Step.storing(9, Syscall.OPENAT, "open the rootfs", new Arg.Imm(-100, null), new Arg.Str("/r"), new Arg.Imm(0, null)));
        steps.add(Step.of(Syscall.MOUNT, "mount proc on /proc", new Arg.Str("proc"), new Arg.Str("."), new Arg.Str("proc"),
                new Arg.Imm(0, null), new Arg.Imm(0, null)));
        steps.add(Step.of(Syscall.EXECVE, "exec /bin/true", new Arg.Str("/bin/true"), new Arg.StrArray(List.of("true"), false),
                new Arg.StrArray(List.of(), false)));
        return new Program(0, steps, "", "", false, false, 4, "", 2);
    }

    @Test
    void everyStepGetsATimingPairAndTheStartsStayOnTheirSteps() {
        Program p = program();
        int[] slots = LaunchProfile.freeSlots(p);
        assertTrue(slots[0] > Program.IMAGE && slots[1] > Program.IMAGE, "never a slot the spawner fills");
        assertTrue(slots[0] != 9 && slots[1] != 9 && slots[1] + 1 != 9, "never a slot a step uses: " + slots[0] + ", " + slots[1]);
        Program t = LaunchProfile.instrument(p, slots[0], slots[1]);
        // 3 per step, plus the fcntl that keeps the pipe open across the image's exec
        assertEquals(3 * p.steps().size() + 1, t.steps().size());
        assertEquals(Syscall.CLOCK_GETTIME, t.steps().get(t.imageStart()).call());
        assertEquals(p.steps().get(p.imageStart()), t.steps().get(t.imageStart() + 2), "the image starts at its first step's timing pair");
        assertEquals(p.steps().get(p.processStart()), t.steps().get(t.processStart() + 2));
        Step keep = t.steps().get(t.steps().indexOf(p.steps().get(1)) - 3);
        assertEquals(Syscall.FCNTL, keep.call(), "the pipe is kept open right before the image's exec");
        for (Step s : t.steps()) {
            if (s.call() == Syscall.CLOCK_GETTIME || s.call() == Syscall.WRITE) {
                assertTrue(!s.checked(), "a timing step never fails the launch");
            }
        }
    }

    @Test
    void stepsAreGroupedFromThePlannersDescriptions() {
        Program p = program();
        assertEquals("child start: pipes, fds, exec of the init image", LaunchProfile.group(p, 1));
        assertEquals("mounts (config's mounts[])", LaunchProfile.group(p, 3));
        assertEquals("program lookup (openat2 in the root)", LaunchProfile.group(p, 4));
    }
}
