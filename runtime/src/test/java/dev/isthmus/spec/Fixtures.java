package dev.isthmus.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

final class Fixtures {
    private Fixtures() {}

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/spec/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Config read(String name) throws ConfigException {
        return ConfigReader.read(bytes(name), name);
    }
}
