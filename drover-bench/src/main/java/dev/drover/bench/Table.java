package dev.drover.bench;

import java.util.ArrayList;
import java.util.List;

/** A plain text table: a title, headers, rows; numbers right-aligned. */
final class Table {
    private final String title;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String title, String... headers) {
        this.title = title;
        this.headers = List.of(headers);
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "-" : c.toString());
        }
        rows.add(r);
        return this;
    }

    String render() {
        int[] w = new int[headers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = headers.get(i).length();
            for (List<String> r : rows) {
                if (i < r.size()) {
                    w[i] = Math.max(w[i], r.get(i).length());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        line(sb, headers, w, false);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        sb.append(rule).append('\n');
        for (List<String> r : rows) {
            line(sb, r, w, true);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w, boolean alignNumbers) {
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            boolean right = alignNumbers && i > 0 && looksNumeric(c);
            if (i > 0) {
                sb.append("  ");
            }
            String pad = " ".repeat(Math.max(0, w[i] - c.length()));
            sb.append(right ? pad + c : c + (i == w.length - 1 ? "" : pad));
        }
        sb.append('\n');
    }

    private static boolean looksNumeric(String s) {
        return (s.equals("-") || s.matches("-?\\d.*")) && !s.contains(" ");
    }

    static String num(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return String.format("%,." + decimals + "f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format("%.2f×", v);
    }
}
