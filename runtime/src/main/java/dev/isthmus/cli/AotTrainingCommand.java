package dev.isthmus.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The training run for the JDK AOT cache (JEP 514/515): bin/isthmus runs it once with
 * -XX:AOTCacheOutput after a build, so the classes and profiles of the short commands clients
 * call most (state, list, features, spec, --version; buildah polls state) are ready at startup.
 */
final class AotTrainingCommand implements Callable<Integer> {
    CommandSpec model() {
        Model m = Model.command("aot-training", this, "Exercise the CLI's common paths (for the AOT cache).");
        m.spec().usageMessage().hidden(true);
        m.positional("0", "1", "DIR", "An empty scratch directory.", Path.class, v -> dir = v);
        return m.spec();
    }

    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(sink);
        System.setErr(sink);
        try {
            Path state = Files.createDirectories(dir.resolve("state"));
            for (int round = 0; round < 20; round++) {
                Path bundle = Files.createDirectories(dir.resolve("bundle" + round));
                Main.execute("--version");
                Main.execute("features");
                Main.execute("spec", "-b", bundle.toString());
                Main.execute("run", "--dry-run", "-b", bundle.toString(), "train" + round);
                Main.execute("--root", state.toString(), "state", "train" + round);
                Main.execute("--root", state.toString(), "list");
                Main.execute("--root", state.toString(), "list", "-f", "json");
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return 0;
    }
}
