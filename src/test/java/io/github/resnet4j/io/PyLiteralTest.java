package io.github.resnet4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PyLiteralTest {
  @Test
  void parsesNumpyHeaders() throws Exception {
    Map<?, ?> d = (Map<?, ?>) PyLiteral.parse(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                    \n");
    assertEquals("<f4", d.get("descr"));
    assertEquals(false, d.get("fortran_order"));
    assertInstanceOf(PyLiteral.Tuple.class, d.get("shape"));
    assertEquals(List.of(2L, 3L), d.get("shape"));
    assertEquals(List.of(3L), PyLiteral.parse("(3,)"));
    assertEquals(List.of(), PyLiteral.parse("()"));
    assertEquals(List.of(3L, 4L), PyLiteral.parse("(3L, 4L)")); // Python 2 NumPy
    assertFalse(PyLiteral.parse("[1]") instanceof PyLiteral.Tuple);
    assertEquals("a\"b", PyLiteral.parse("\"a\\\"b\""));
  }

  @Test
  void rejectsMalformed() {
    for (String s : new String[] {"{'a': 1", "{'a' 1}", "(3)", "(1 2)", "{'a': 1, 'a': 2}", "'abc",
        "1.5", "0x10", "{[1]: 2}", "{'a': 1} x", "nan", "(,)", "007"}) {
      assertThrows(PyLiteral.ParseException.class, () -> PyLiteral.parse(s), s);
    }
  }
}
