package dev.drover.testkit;

/** A namespace made for one test, so tests never see each other's objects. */
public record TestNamespace(String name) {
    @Override
    public String toString() {
        return name;
    }
}
