package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernels")
class KernelsTest {
  @Test
  void activeProviderFollowsModulePresence() {
    boolean wanted = Kernels.vectorModulePresent()
        && Boolean.parseBoolean(System.getProperty("resnet4j.vector", "true"));
    assertEquals(wanted, Kernels.vectorized(), Kernels.name());
    assertFalse(Kernels.name().isBlank());
  }

  @Test
  void plainProviderIsAlwaysAvailable() {
    KernelProvider p = Kernels.plain();
    assertFalse(p.vectorized());
    assertTrue(p.mr() > 0 && p.nr() > 0);
  }

  @Test
  void vectorProviderLoadsExactlyWhenTheModuleIsPresent() {
    if (Kernels.vectorModulePresent()) {
      KernelProvider v = Kernels.vector();
      assertTrue(v.vectorized());
      assertTrue(v.name().startsWith("Vector API"));
    } else {
      assertThrows(UnsupportedOperationException.class, Kernels::vector);
    }
  }
}
