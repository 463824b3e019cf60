/** The training loop, losses, metrics and checkpoints. */
package io.github.resnet4j.train;
