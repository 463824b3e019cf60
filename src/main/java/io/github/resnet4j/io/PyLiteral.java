package io.github.resnet4j.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for the subset of Python literals that .npy headers use: dicts, tuples, lists,
 * strings in single or double quotes, integers (an old Python 2 {@code L} suffix is accepted),
 * {@code True}, {@code False} and {@code None}.
 *
 * <p>Dicts map to {@link LinkedHashMap} (duplicate keys rejected), tuples to {@link Tuple}, lists to
 * {@link ArrayList}, integers to {@link Long} (or {@link BigInteger} beyond the long range).
 */
final class PyLiteral {
  private static final int MAX_DEPTH = 64;

  private final String s;
  private int pos;
  private int depth;

  /** A Python tuple; distinct from a list because .npy requires the shape to be a tuple. */
  static final class Tuple extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;
  }

  /** A syntax error at {@link #position}. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    final int position;

    ParseException(String problem, int position) {
      super(problem + " at character " + position);
      this.position = position;
    }
  }

  private PyLiteral(String s) {
    this.s = s;
  }

  /**
   * Parses one literal; surrounding whitespace is allowed, nothing else.
   *
   * @param text the literal
   * @return the value
   * @throws ParseException on a syntax error
   */
  static Object parse(String text) throws ParseException {
    PyLiteral p = new PyLiteral(text);
    p.skipWs();
    Object v = p.value();
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected " + p.describe() + " after the literal");
    }
    return v;
  }

  private ParseException error(String problem) {
    return new ParseException(problem, pos);
  }

  private String describe() {
    if (pos >= s.length()) {
      return "end of header";
    }
    char c = s.charAt(pos);
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("character U+%04X", (int) c);
  }

  private void skipWs() {
    while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t'
        || s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) {
      pos++;
    }
  }

  private Object value() throws ParseException {
    if (pos >= s.length()) {
      throw error("expected a value but found end of header");
    }
    char c = s.charAt(pos);
    if (c == '{') {
      return dict();
    } else if (c == '(') {
      return sequence('(', ')', new Tuple());
    } else if (c == '[') {
      return sequence('[', ']', new ArrayList<>());
    } else if (c == '\'' || c == '"') {
      return string();
    } else if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
      return integer();
    } else if (s.startsWith("True", pos)) {
      pos += 4;
      return Boolean.TRUE;
    } else if (s.startsWith("False", pos)) {
      pos += 5;
      return Boolean.FALSE;
    } else if (s.startsWith("None", pos)) {
      pos += 4;
      return null;
    }
    throw error("expected a value but found " + describe());
  }

  private void enter() throws ParseException {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Map<Object, Object> dict() throws ParseException {
    enter();
    pos++;
    Map<Object, Object> m = new LinkedHashMap<>();
    while (true) {
      skipWs();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        depth--;
        return m;
      }
      int keyPos = pos;
      Object k = value();
      if (!(k instanceof String) && !(k instanceof Long)) {
        throw new ParseException("dict key must be a string or integer", keyPos);
      }
      if (m.containsKey(k)) {
        throw new ParseException("duplicate key " + k, keyPos);
      }
      skipWs();
      expect(':');
      skipWs();
      m.put(k, value());
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
      } else if (pos >= s.length() || s.charAt(pos) != '}') {
        throw error("expected ',' or '}' but found " + describe());
      }
    }
  }

  private List<Object> sequence(char open, char close, List<Object> out) throws ParseException {
    enter();
    pos++;
    boolean comma = false;
    while (true) {
      skipWs();
      if (pos < s.length() && s.charAt(pos) == close) {
        pos++;
        depth--;
        if (open == '(' && out.size() == 1 && !comma) {
          // "(3)" is the integer 3 in parentheses in Python, not a tuple: reject it here
          throw error("a parenthesised single value without a trailing comma is not a tuple");
        }
        return out;
      }
      out.add(value());
      skipWs();
      comma = false;
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        comma = true;
      } else if (pos >= s.length() || s.charAt(pos) != close) {
        throw error("expected ',' or '" + close + "' but found " + describe());
      }
    }
  }

  private void expect(char c) throws ParseException {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "' but found " + describe());
    }
    pos++;
  }

  private String string() throws ParseException {
    char q = s.charAt(pos++);
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == q) {
        return b.toString();
      }
      if (c == '\n' || c == '\r') {
        throw error("line break inside a string");
      }
      if (c == '\\') {
        if (pos >= s.length()) {
          throw error("unterminated escape");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '\\': b.append('\\'); break;
          case '\'': b.append('\''); break;
          case '"': b.append('"'); break;
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          default:
            pos--;
            throw error("unsupported escape '\\" + e + "'");
        }
      } else {
        b.append(c);
      }
    }
  }

  private Object integer() throws ParseException {
    int start = pos;
    if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
      pos++;
    }
    int digits = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == digits) {
      throw error("expected a digit but found " + describe());
    }
    if (pos - digits > 1 && s.charAt(digits) == '0') {
      throw new ParseException("leading zero in an integer", digits);
    }
    String text = s.substring(start, pos);
    if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
      pos++; // Python 2 long suffix, written by NumPy under Python 2
    }
    if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E'
        || s.charAt(pos) == 'j' || s.charAt(pos) == 'x' || s.charAt(pos) == '_')) {
      throw error("only decimal integers are supported, found " + describe());
    }
    BigInteger big = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
    return big.bitLength() < 64 ? (Object) big.longValue() : big;
  }
}
