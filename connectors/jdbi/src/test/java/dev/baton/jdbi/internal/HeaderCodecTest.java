package dev.baton.jdbi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeaderCodecTest {

    @Test
    @DisplayName("encodes as sorted form-urlencoded text, readable for plain values")
    void format() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("baton-saga-id", "s-1");
        headers.put("baton-attempt", "2");
        assertThat(HeaderCodec.encode(headers)).isEqualTo("baton-attempt=2&baton-saga-id=s-1");
        assertThat(HeaderCodec.encode(Map.of())).isEmpty();
        assertThat(HeaderCodec.encode(Map.of("", ""))).isEqualTo("=");
    }

    @Test
    @DisplayName("escapes every character that could be read as structure")
    void escapes() {
        assertThat(HeaderCodec.encode(Map.of("a=b&c", "%+ \n"))).isEqualTo("a%3Db%26c=%25%2B+%0A");
    }

    @Test
    @DisplayName("empty map, empty key and empty value are told apart")
    void emptiness() {
        for (Map<String, String> m : java.util.List.of(Map.<String, String>of(), Map.of("", ""), Map.of("k", ""),
                Map.of("", "v"))) {
            assertThat(HeaderCodec.decode(HeaderCodec.encode(m))).isEqualTo(m);
        }
    }

    @Test
    @DisplayName("random maps of awkward strings survive a round trip")
    void randomRoundTrips() {
        String alphabet = "ab=&%+ \n\r\t\\\";,:éü✓中🎷\u0000";
        int[] codePoints = alphabet.codePoints().toArray();
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            Map<String, String> m = new LinkedHashMap<>();
            int size = random.nextInt(5);
            for (int j = 0; j < size; j++) {
                m.put(randomString(random, codePoints), randomString(random, codePoints));
            }
            assertThat(HeaderCodec.decode(HeaderCodec.encode(m))).as("round trip of %s", m).isEqualTo(m);
        }
    }

    private static String randomString(Random random, int[] codePoints) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(6);
        for (int i = 0; i < length; i++) {
            s.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return s.toString();
    }

    @Test
    @DisplayName("text not written by encode is rejected")
    void rejectsGarbage() {
        assertThatThrownBy(() -> HeaderCodec.decode("novalue")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderCodec.decode("a=1&a=2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderCodec.decode("a=%zz")).isInstanceOf(IllegalArgumentException.class);
    }
}
