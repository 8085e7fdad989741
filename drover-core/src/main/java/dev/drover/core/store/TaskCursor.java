package dev.drover.core.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a page of {@link TaskStore#query} ended: the (created_at, seq) of its last task, the order
 * the listing walks. Opaque to callers: base64url of {@code v1:<created ms>:<seq>}, so the format
 * may change with its version prefix.
 */
record TaskCursor(long createdAt, long seq) {
    private static final Pattern TEXT = Pattern.compile("v1:(-?\\d{1,19}):(\\d{1,19})");

    String encode() {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("v1:" + createdAt + ":" + seq).getBytes(StandardCharsets.US_ASCII));
    }

    /** Throws {@link IllegalArgumentException} naming {@code cursor} for anything {@link #encode} did not make. */
    static TaskCursor decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            Matcher m = TEXT.matcher(text);
            if (m.matches()) {
                return new TaskCursor(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        } catch (IllegalArgumentException e) { // bad base64, or a number out of range
            // the same answer as any other bad cursor, below
        }
        throw new IllegalArgumentException(
                "cursor '" + shortened(cursor)
                        + "' is not a cursor of this listing; pass the nextCursor of a previous page, or none for the first page");
    }

    private static String shortened(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
