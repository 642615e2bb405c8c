package io.pontoon.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Range checks for option values; a failure is a usage error (exit 2) naming the option and the range. */
final class OptionChecks {
    private OptionChecks() {
    }

    static long range(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(),
                option + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    static int range(CommandSpec spec, String option, int value, int min, int max) {
        return (int) range(spec, option, (long) value, min, max);
    }
}
