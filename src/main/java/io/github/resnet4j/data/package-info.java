/** Data sets, readers for IDX (MNIST, Fashion-MNIST) and CIFAR-10 binary files, batching and augmentation. */
package io.github.resnet4j.data;
