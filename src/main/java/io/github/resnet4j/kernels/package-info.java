/** Hot loops behind a narrow interface: GEMM, convolution, normalisation, pooling and element-wise kernels, with a Vector API implementation and a plain-Java fallback. Internal: not exported. */
package io.github.resnet4j.kernels;
