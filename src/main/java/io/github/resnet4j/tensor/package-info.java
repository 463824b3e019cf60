/** Float32 n-d tensors with shapes, strides and views, broadcasting, reductions, matmul, and reverse-mode autograd. */
package io.github.resnet4j.tensor;
