package dev.drover.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TaskCursorTest {
    @Test
    void aCursorDecodesToThePositionItWasMadeOf() {
        TaskCursor c = new TaskCursor(1_893_456_000_123L, 42);

        assertThat(TaskCursor.decode(c.encode())).isEqualTo(c);
        assertThat(TaskCursor.decode(new TaskCursor(Long.MAX_VALUE, Long.MAX_VALUE).encode()))
                .isEqualTo(new TaskCursor(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void aCursorIsUrlSafeTextWithoutPadding() {
        assertThat(new TaskCursor(1_893_456_000_123L, 42).encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void anythingElseIsRefusedNamingTheCursorAndWhatToPass() {
        String wrongVersion = b64("v2:1:2");
        String numberTooLarge = b64("v1:99999999999999999999:1");
        for (String bad : new String[] {"", "%%%", b64("v1:1"), b64("v1:a:2"), wrongVersion, numberTooLarge}) {
            assertThatThrownBy(() -> TaskCursor.decode(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cursor '" + bad + "' is not a cursor of this listing; pass the nextCursor of a"
                            + " previous page, or none for the first page");
        }
    }

    @Test
    void aLongBadCursorIsShortenedInTheMessage() {
        assertThatThrownBy(() -> TaskCursor.decode("x".repeat(500)))
                .hasMessageStartingWith("cursor '" + "x".repeat(64) + "…'");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
