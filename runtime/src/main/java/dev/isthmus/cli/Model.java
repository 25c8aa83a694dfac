package dev.isthmus.cli;

import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A command's picocli model, built by code (picocli's programmatic API) instead of read from
 * annotations. Reading annotations makes a JDK proxy class per annotation type and reflects over
 * every field, and the AOT cache can hold neither: that was most of a short command's start-up
 * (issue 16). Options are bound to the command's fields by lambdas, which the cache does hold.
 *
 * <p>An option left off the command line keeps its field's initial value: nothing is set for it
 * (no initial value is recorded, no default value applied).
 */
final class Model {
    private final CommandSpec spec;

    private Model(String name, Object command, String description) {
        spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(name);
        spec.usageMessage().description(description);
        // Every command takes -h/--help and exits 0 with its usage, as runc's do. Not through
        // mixinStandardHelpOptions: picocli builds that mixin from its annotations.
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.")
                .type(boolean.class).build());
    }

    /** A command: its name, the object picocli calls (a {@code Callable<Integer>}), its one-line description. */
    static Model command(String name, Object command, String description) {
        return new Model(name, command, description);
    }

    /** Adds -V/--version, which prints what {@code version} gives. */
    Model version(picocli.CommandLine.IVersionProvider version) {
        spec.versionProvider(version);
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").type(boolean.class).build());
        return this;
    }

    /**
     * An option. {@code names} are separated by spaces ({@code "-f --force"}); a {@code boolean}
     * type makes a flag.
     */
    <T> Model option(String names, Class<T> type, String description, Consumer<? super T> set) {
        String[] all = names.split(" ");
        OptionSpec.Builder b = OptionSpec.builder(all).type(type).description(description).hasInitialValue(false)
                .setter(new Binding<>(set)).getter(Binding.NONE);
        if (type == java.nio.file.Path.class) {
            b.converters(PathConverter.INSTANCE);
        }
        if (type != boolean.class && type != Boolean.class) {
            // the value's name in the usage, from the longest option name: --bundle=BUNDLE
            String longest = all[0];
            for (String n : all) {
                longest = n.length() > longest.length() ? n : longest;
            }
            b.paramLabel(longest.replaceFirst("^-+", "").toUpperCase(java.util.Locale.ROOT));
        }
        spec.addOption(b.build());
        return this;
    }

    /** An option that may repeat, each value added to {@code into} (and split at {@code splitRegex} when not null). */
    Model repeatable(String names, String paramLabel, String splitRegex, String description, java.util.List<String> into) {
        var b = OptionSpec.builder(names.split(" ")).type(java.util.List.class).auxiliaryTypes(String.class)
                .paramLabel(paramLabel).description(description).hasInitialValue(false);
        if (splitRegex != null) {
            b.splitRegex(splitRegex);
        }
        spec.addOption(b.setter(new ListBinding(into)).getter(new ListBinding(into)).build());
        return this;
    }

    /** A positional parameter at {@code index} ("0"), with picocli's arity ("1", "0..1"). */
    <T> Model positional(String index, String arity, String paramLabel, String description, Class<T> type,
            Consumer<? super T> set) {
        PositionalParamSpec.Builder b = PositionalParamSpec.builder().index(index).arity(arity).paramLabel(paramLabel).type(type)
                .description(description == null ? new String[0] : new String[] {description})
                .hasInitialValue(false).setter(new Binding<>(set)).getter(Binding.NONE);
        if (type == java.nio.file.Path.class) {
            b.converters(PathConverter.INSTANCE);
        }
        spec.addPositional(b.build());
        return this;
    }

    /** The positional parameters from {@code index} on ("1..*"), each added to {@code into}. */
    Model positionals(String index, String paramLabel, java.util.List<String> into) {
        spec.addPositional(PositionalParamSpec.builder().index(index).arity("0..*").paramLabel(paramLabel)
                .type(java.util.List.class).auxiliaryTypes(String.class).hasInitialValue(false)
                .setter(new ListBinding(into)).getter(new ListBinding(into)).build());
        return this;
    }

    CommandSpec spec() {
        return spec;
    }

    /**
     * A Path option's value. picocli's own Path converter calls Paths.get through reflection
     * (Method.invoke), which spins three method-handle classes the AOT cache cannot hold: about
     * 20 ms of every call given --root or --bundle (issue 16).
     */
    private static final class PathConverter implements picocli.CommandLine.ITypeConverter<java.nio.file.Path> {
        static final PathConverter INSTANCE = new PathConverter();

        @Override
        public java.nio.file.Path convert(String value) {
            return java.nio.file.Path.of(value);
        }
    }

    /** Sets a field through a lambda; picocli never reads a single value back. */
    private record Binding<T>(Consumer<? super T> set) implements ISetter {
        static final IGetter NONE = new IGetter() {
            @Override
            public <R> R get() {
                return null;
            }
        };

        @Override
        @SuppressWarnings("unchecked")
        public <R> R set(R value) {
            set.accept((T) value);
            return null;
        }
    }

    /**
     * A multi-valued argument: picocli makes a new list on the first value and adds the rest
     * to the list it reads back; both end up in {@code into}, the command's own list.
     */
    private record ListBinding(java.util.List<String> into) implements ISetter, IGetter {
        @Override
        @SuppressWarnings("unchecked")
        public <R> R get() {
            return (R) into;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <R> R set(R value) {
            if (value != into) {
                into.clear();
                if (value instanceof java.util.Collection<?> c) {
                    for (Object o : c) {
                        into.add((String) o);
                    }
                }
            }
            return null;
        }
    }
}
