package io.pontoon.testkit.history;

import java.io.IOException;

/** A history file line that is not a well-formed event, or an event that does not fit the lines before it. */
public final class HistoryFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int lineNumber;

    HistoryFormatException(int lineNumber, String problem) {
        super("line " + lineNumber + ": " + problem);
        this.lineNumber = lineNumber;
    }

    /** The 1-based line of the file that is wrong. */
    public int lineNumber() {
        return lineNumber;
    }
}
