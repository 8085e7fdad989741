package dev.drover.bench;

/** The churn tables: per variant, each informer's account against the server after the storm. */
final class ChurnTables {
    private ChurnTables() {}

    static String render(ChurnBench.Report r) {
        StringBuilder sb = new StringBuilder();
        for (ChurnBench.VariantResult v : r.variants()) {
            Table t = new Table(
                    String.format(
                            "churn (%s): %.0f s, %,d writes ok, %,d failed, %d apiserver restarts (%.1f s each), %,d pods at the end",
                            v.variant(),
                            v.seconds(),
                            v.writesOk(),
                            v.writesFailed(),
                            v.restarts(),
                            v.meanRestartSeconds(),
                            v.serverPodsAtEnd()),
                    "informer",
                    "deltas",
                    "relists",
                    "410s",
                    "duplicates",
                    "regressions",
                    "missed (store)",
                    "missed (deltas)",
                    "converged s",
                    "canary lag max s",
                    "mean s",
                    "canary unseen",
                    "LIST (audit)");
            for (ChurnBench.InformerOutcome i : v.informers()) {
                t.row(
                        i.informer(),
                        i.deltas(),
                        i.relists(),
                        i.gone410() < 0 ? "-" : i.gone410(),
                        i.duplicates(),
                        i.regressions(),
                        i.missedInStore(),
                        i.missedInDeltas(),
                        Double.isNaN(i.convergedSeconds()) ? "never" : Table.num(i.convergedSeconds(), 1),
                        Table.num(i.maxCanaryLagSeconds(), 1),
                        Table.num(i.meanCanaryLagSeconds(), 1),
                        i.canaryTimeouts(),
                        i.listRequests());
            }
            sb.append(t.render()).append('\n');
        }
        return sb.toString();
    }
}
