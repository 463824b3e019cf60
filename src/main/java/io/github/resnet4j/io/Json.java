package io.github.resnet4j.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) parser and writer for file headers.
 *
 * <p>Values map to Java as: object → {@link LinkedHashMap} (keys in file order, duplicates rejected),
 * array → {@link ArrayList}, string → {@link String}, integer literal → {@link Long} (or {@link BigInteger}
 * beyond the long range), any number with a fraction or exponent → {@link Double}, {@code true/false} →
 * {@link Boolean}, {@code null} → {@code null}. Leading and trailing whitespace is allowed; anything else
 * after the value is an error. Errors carry the character position.
 */
final class Json {
  /** Nesting deeper than this is rejected instead of overflowing the stack. */
  static final int MAX_DEPTH = 256;

  private final String s;
  private int pos;
  private int depth;

  private Json(String s) {
    this.s = s;
  }

  /** A malformed document: the message says what was expected, {@link #position} where. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    final int position;
    final String problem;

    ParseException(String problem, int position) {
      super(problem + " at character " + position);
      this.problem = problem;
      this.position = position;
    }
  }

  /**
   * Parses one JSON value.
   *
   * @param text the whole document
   * @return the value, as described in the class comment
   * @throws ParseException on any syntax error, duplicate key or excessive nesting
   */
  static Object parse(String text) throws ParseException {
    Json p = new Json(text);
    p.skipWs();
    Object v = p.value();
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected " + p.describe() + " after the JSON value");
    }
    return v;
  }

  private ParseException error(String problem) {
    return new ParseException(problem, pos);
  }

  private String describe() {
    if (pos >= s.length()) {
      return "end of input";
    }
    char c = s.charAt(pos);
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("character U+%04X", (int) c);
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        break;
      }
    }
  }

  private Object value() throws ParseException {
    if (pos >= s.length()) {
      throw error("expected a JSON value but found end of input");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("expected a JSON value but found " + describe());
    }
  }

  private Object literal(String word, Object v) throws ParseException {
    if (!s.startsWith(word, pos)) {
      throw error("expected '" + word + "' but found " + describe());
    }
    pos += word.length();
    return v;
  }

  private void enter() throws ParseException {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Map<String, Object> object() throws ParseException {
    enter();
    pos++; // '{'
    Map<String, Object> m = new LinkedHashMap<>();
    skipWs();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      depth--;
      return m;
    }
    while (true) {
      skipWs();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error("expected a string key but found " + describe());
      }
      int keyPos = pos;
      String key = string();
      if (m.containsKey(key)) {
        throw new ParseException("duplicate key \"" + key + "\"", keyPos);
      }
      skipWs();
      expect(':');
      skipWs();
      m.put(key, value());
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect('}');
      depth--;
      return m;
    }
  }

  private List<Object> array() throws ParseException {
    enter();
    pos++; // '['
    List<Object> a = new ArrayList<>();
    skipWs();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      depth--;
      return a;
    }
    while (true) {
      skipWs();
      a.add(value());
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(']');
      depth--;
      return a;
    }
  }

  private void expect(char c) throws ParseException {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "' but found " + describe());
    }
    pos++;
  }

  private String string() throws ParseException {
    pos++; // opening quote
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        pos++;
        return b.toString();
      }
      if (c < 0x20) {
        throw error(String.format("unescaped control character U+%04X in a string", (int) c));
      }
      if (c == '\\') {
        pos++;
        if (pos >= s.length()) {
          throw error("unterminated escape sequence");
        }
        char e = s.charAt(pos);
        switch (e) {
          case '"': b.append('"'); break;
          case '\\': b.append('\\'); break;
          case '/': b.append('/'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'n': b.append('\n'); break;
          case 'r': b.append('\r'); break;
          case 't': b.append('\t'); break;
          case 'u': {
            int start = pos - 1;
            char hi = hex4();
            if (Character.isHighSurrogate(hi)) {
              if (!s.startsWith("\\u", pos + 1)) {
                throw new ParseException("unpaired surrogate escape", start);
              }
              pos += 2;
              char lo = hex4();
              if (!Character.isLowSurrogate(lo)) {
                throw new ParseException("unpaired surrogate escape", start);
              }
              b.append(hi).append(lo);
            } else if (Character.isLowSurrogate(hi)) {
              throw new ParseException("unpaired surrogate escape", start);
            } else {
              b.append(hi);
            }
            break;
          }
          default:
            throw error("invalid escape '\\" + e + "'");
        }
        pos++;
      } else {
        b.append(c);
        pos++;
      }
    }
  }

  /** Reads the 4 hex digits after "\\u" (pos is on 'u'); leaves pos on the last digit. */
  private char hex4() throws ParseException {
    if (pos + 4 >= s.length()) {
      pos = Math.min(pos + 1, s.length());
      throw error("truncated \\u escape");
    }
    int v = 0;
    for (int i = 1; i <= 4; i++) {
      int d = Character.digit(s.charAt(pos + i), 16);
      if (d < 0) {
        pos += i;
        throw error("invalid hex digit " + describe() + " in \\u escape");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() throws ParseException {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    if (pos >= s.length() || !isDigit(s.charAt(pos))) {
      throw error("expected a digit but found " + describe());
    }
    if (s.charAt(pos) == '0') {
      pos++;
      if (pos < s.length() && isDigit(s.charAt(pos))) {
        throw error("leading zero in a number");
      }
    } else {
      while (pos < s.length() && isDigit(s.charAt(pos))) {
        pos++;
      }
    }
    boolean integral = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      if (pos >= s.length() || !isDigit(s.charAt(pos))) {
        throw error("expected a digit after the decimal point but found " + describe());
      }
      while (pos < s.length() && isDigit(s.charAt(pos))) {
        pos++;
      }
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      if (pos >= s.length() || !isDigit(s.charAt(pos))) {
        throw error("expected a digit in the exponent but found " + describe());
      }
      while (pos < s.length() && isDigit(s.charAt(pos))) {
        pos++;
      }
    }
    String text = s.substring(start, pos);
    if (!integral) {
      return Double.parseDouble(text);
    }
    BigInteger big = new BigInteger(text);
    return big.bitLength() < 64 ? (Object) big.longValue() : big;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes a value compactly (no spaces), as Python's {@code json.dumps(v, separators=(",", ":"))} does
   * except that non-ASCII characters are written as-is (UTF-8 in files), like serde_json.
   *
   * @param v a Map with String keys, List, String, Number (integral or finite), Boolean or null
   * @return the JSON text
   */
  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String) {
      quote(b, (String) v);
    } else if (v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger
        || v instanceof Short || v instanceof Byte) {
      b.append(v);
    } else if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON cannot represent the number " + d);
      }
      b.append(d);
    } else if (v instanceof Map) {
      b.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = ((Map<?, ?>) v).entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        if (!(e.getKey() instanceof String)) {
          throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
        }
        quote(b, (String) e.getKey());
        b.append(':');
        write(b, e.getValue());
        if (it.hasNext()) {
          b.append(',');
        }
      }
      b.append('}');
    } else if (v instanceof List) {
      b.append('[');
      List<?> l = (List<?>) v;
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(b, l.get(i));
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  /** Appends {@code str} as a JSON string literal. */
  static void quote(StringBuilder b, String str) {
    b.append('"');
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        case '\b': b.append("\\b"); break;
        case '\f': b.append("\\f"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
