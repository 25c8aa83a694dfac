package dev.isthmus.cli;

import dev.isthmus.spec.ConfigWriter;
import dev.isthmus.spec.DefaultConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** `isthmus spec`: write a default config.json, as `runc spec` does. */
final class SpecCommand implements Callable<Integer> {
    CommandSpec model() {
        Model m = Model.command("spec", this, "Write a new default config.json into the bundle.");
        m.option("-b --bundle", Path.class, "Path to the bundle (default: the current directory).", v -> bundle = v);
        m.option("--rootless", boolean.class, "Write a config for a container run by an unprivileged user.", v -> rootless = v);
        return m.spec();
    }

    Path bundle = Path.of(".");

    boolean rootless;

    @Override
    public Integer call() throws IOException {
        Path target = bundle.resolve("config.json");
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ConfigWriter.write(DefaultConfigs.runcDefault(rootless), out);
        } catch (FileAlreadyExistsException e) {
            System.err.println("isthmus: " + target + " exists; remove it first");
            return 1;
        }
        return 0;
    }
}
