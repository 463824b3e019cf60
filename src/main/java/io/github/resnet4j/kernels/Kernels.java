package io.github.resnet4j.kernels;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, once, between the Vector API kernels and the plain-Java fallback (after Lucene's
 * {@code VectorizationProvider}).
 *
 * <p>The Vector API kernels are used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} and the system property {@code resnet4j.vector} is not
 * {@code false}. Both give bit-identical results; only the speed differs. The Vector API kernels are
 * warmed up once when chosen (about 0.4 s; {@code -Dresnet4j.warmup=false} skips it), because until the
 * JIT compiles them they allocate for every vector operation and make the heap grow.
 */
public final class Kernels {
  private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final KernelProvider PROVIDER = select();

  private Kernels() {}

  /**
   * Whether the Vector API kernels are active.
   *
   * @return {@code true} for the Vector API, {@code false} for plain Java
   */
  public static boolean vectorized() {
    return PROVIDER.vectorized();
  }

  /**
   * A short description of the active kernels, for reports.
   *
   * @return for example {@code "Vector API (512-bit)"} or {@code "plain Java"}
   */
  public static String name() {
    return PROVIDER.name();
  }

  static KernelProvider plain() {
    return PlainKernels.INSTANCE;
  }

  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /**
   * Loads the Vector API kernels by name, so that the class (and with it jdk.incubator.vector) is only
   * touched when the module is there.
   *
   * @return the provider
   * @throws UnsupportedOperationException when the module is absent or the CPU's vectors are too short
   */
  static KernelProvider vector() {
    if (!vectorModulePresent()) {
      throw new UnsupportedOperationException(VECTOR_MODULE + " is not in the boot layer");
    }
    try {
      Class<?> cls = Class.forName(Kernels.class.getPackageName() + ".VectorKernels");
      return (KernelProvider) cls.getDeclaredConstructor().newInstance();
    } catch (java.lang.reflect.InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw cause instanceof UnsupportedOperationException u ? u : new UnsupportedOperationException(cause);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new UnsupportedOperationException(e);
    }
  }

  private static KernelProvider select() {
    if (!Boolean.parseBoolean(System.getProperty("resnet4j.vector", "true"))) {
      LOG.info("resnet4j kernels: plain Java (Vector API disabled by -Dresnet4j.vector=false)");
      return plain();
    }
    if (!vectorModulePresent()) {
      LOG.info("resnet4j kernels: plain Java. Start the JVM with --add-modules {} for the faster "
          + "Vector API kernels", VECTOR_MODULE);
      return plain();
    }
    try {
      KernelProvider p = vector();
      LOG.info("resnet4j kernels: {}", p.name());
      if (Boolean.parseBoolean(System.getProperty("resnet4j.warmup", "true"))) {
        long t0 = System.nanoTime();
        try {
          p.warmUp();
        } catch (RuntimeException e) {
          // Only speed and footprint depend on it: a failed warm-up must not make the class unusable.
          LOG.warn("resnet4j kernels: JIT warm-up failed; continuing without it", e);
        }
        LOG.debug("resnet4j kernels: JIT warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
      }
      return p;
    } catch (UnsupportedOperationException e) {
      LOG.info("resnet4j kernels: plain Java (Vector API unusable here: {})", e.getMessage());
      return plain();
    }
  }
}
