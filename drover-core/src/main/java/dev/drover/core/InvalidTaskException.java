package dev.drover.core;

/** A task spec that cannot run; the message names the field and how to fix it. */
public final class InvalidTaskException extends IllegalArgumentException {
    private final String field;

    public InvalidTaskException(String field, String problemAndFix) {
        super(field + ": " + problemAndFix);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
