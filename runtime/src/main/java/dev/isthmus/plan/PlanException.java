package dev.isthmus.plan;

/** A config that is valid JSON and valid spec but cannot be planned on this host; names the field. */
public final class PlanException extends Exception {
    private final String field;

    public PlanException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
