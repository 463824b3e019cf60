/** Weight and array files: safetensors and NumPy .npy, read and written. */
package io.github.resnet4j.io;
