package dev.isthmus.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.sys.K;
import dev.isthmus.sys.Syscall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wait for cgroup placement: first in the program, and a cgroup namespace made after it. */
class ParentSyncTest {

    @Test
    void theChildWaitsFirstAndUnsharesItsCgroupNamespaceAfterwards() {
        List<Step> steps = List.of(Step.of(Syscall.UMASK, "umask", new Arg.Imm(0, "0")));
        Program p = new Program(K.CLONE_NEWPID | K.CLONE_NEWCGROUP, steps, "", "", false, false, 1);
        Program s = ParentSync.of(p);
        assertTrue(s.waitsForParent());
        assertEquals(K.CLONE_NEWPID, s.cloneFlags(), "CLONE_NEWCGROUP leaves clone3");
        assertEquals(Syscall.READ, s.steps().get(1).call());
        assertEquals(Syscall.UNSHARE, s.steps().get(3).call());
        assertEquals(Syscall.UMASK, s.steps().get(4).call());
        assertEquals(5, s.processStart());
    }

    @Test
    void aProgramThatAlreadyWaitsKeepsItsOneWait() {
        List<Step> steps = List.of(Step.of(Syscall.CLOSE, "close", new Arg.Slot(Program.SYNC_WRITE)),
                new Step(Syscall.READ, List.of(new Arg.Slot(Program.SYNC_READ), new Arg.SlotAddr(9), new Arg.Imm(1, "1")), Step.CHECK, 0, 0, "wait"),
                Step.of(Syscall.CLOSE, "close", new Arg.Slot(Program.SYNC_READ)), Step.of(Syscall.UMASK, "umask", new Arg.Imm(0, "0")));
        Program p = new Program(K.CLONE_NEWUSER, steps, "0 0 1", "0 0 1", false, true, 3);
        Program s = ParentSync.of(p);
        assertEquals(p.steps(), s.steps());
        assertEquals(3, s.processStart());
    }
}
