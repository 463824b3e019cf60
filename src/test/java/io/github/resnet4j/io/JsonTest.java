package io.github.resnet4j.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesAllValueKindsInOrder() throws Exception {
    Object v = Json.parse(" {\"b\": [1, -2, 3.5, 1e2, true, false, null], \"a\": \"x\\u00e9\\n\\\"\","
        + " \"big\": 123456789012345678901234567890, \"s\": \"\\ud83d\\ude00\"} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("b", "a", "big", "s"), List.copyOf(m.keySet()));
    assertEquals(Arrays.asList(1L, -2L, 3.5, 100.0, true, false, null), m.get("b"));
    assertEquals("xé\n\"", m.get("a"));
    assertEquals(new BigInteger("123456789012345678901234567890"), m.get("big"));
    assertEquals("\uD83D\uDE00", m.get("s"));
    assertNull(Json.parse("null"));
  }

  @Test
  void rejectsMalformedInputWithPosition() {
    String[][] cases = {
        {"{\"a\":1,}", "7"}, {"{\"a\" 1}", "5"}, {"[1 2]", "3"}, {"01", "1"}, {"1.", "2"},
        {"-", "1"}, {"\"abc", "4"}, {"\"a\tb\"", "2"}, {"tru", "0"}, {"{\"a\":1} x", "8"},
        {"\"\\x\"", "2"}, {"\"\\ud800\"", "1"}, {"{\"a\":1,\"a\":2}", "7"}, {"", "0"}, {"'a'", "0"},
        {"[1,]", "3"}, {"NaN", "0"}, {"{1:2}", "1"}, {"1e", "2"}, {"\"\\u12g4\"", "5"},
    };
    for (String[] c : cases) {
      Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(c[0]), c[0]);
      assertEquals(Integer.parseInt(c[1]), e.position, c[0] + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("at character " + c[1]), e.getMessage());
    }
  }

  @Test
  void limitsNesting() {
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(deep));
    assertTrue(e.getMessage().contains("nesting"), e.getMessage());
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertDoesNotThrow(() -> Json.parse(ok));
  }

  @Test
  void writesCompactlyAndRoundTrips() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name \"q\"\\", List.of(1L, 2L));
    m.put("ctl", "\u0001\t\n");
    m.put("ü", Map.of());
    String s = Json.write(m);
    assertEquals("{\"name \\\"q\\\"\\\\\":[1,2],\"ctl\":\"\\u0001\\t\\n\",\"ü\":{}}", s);
    assertEquals(m, Json.parse(s));
    assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
  }
}
