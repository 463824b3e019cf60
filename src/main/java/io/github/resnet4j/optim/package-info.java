/** Optimizers (SGD, Adam, AdamW) and learning-rate schedules. */
package io.github.resnet4j.optim;
