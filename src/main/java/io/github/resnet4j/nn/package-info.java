/** Layers as {@code Module}s with named parameters and buffers, train/eval mode and PyTorch-style state dicts: Conv2D, BatchNorm, ReLU, Add, Dense, pooling, Sequential and ResidualBlock. */
package io.github.resnet4j.nn;
