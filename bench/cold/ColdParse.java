import dev.isthmus.spec.Config;
import dev.isthmus.spec.ConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cold path of config parsing (bench/cold-parse.sh): the first ConfigReader.read (parse +
 * validate) in a fresh JVM, class loading and initialisation included, then a second read of
 * the same bytes for contrast. The file is read before the clock starts. Prints: first_us second_us.
 */
public final class ColdParse {
    public static void main(String[] args) throws Exception {
        byte[] json = Files.readAllBytes(Path.of(args[0]));
        long t0 = System.nanoTime();
        Config first = ConfigReader.read(json, args[0]);
        long t1 = System.nanoTime();
        Config second = ConfigReader.read(json, args[0]);
        long t2 = System.nanoTime();
        if (!first.equals(second)) {
            throw new IllegalStateException("two reads of " + args[0] + " differ");
        }
        System.out.println((t1 - t0) / 1000 + " " + (t2 - t1) / 1000);
    }
}
