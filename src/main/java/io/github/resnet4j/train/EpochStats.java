package io.github.resnet4j.train;

/**
 * What one epoch of {@link Trainer#fit} measured.
 *
 * @param epoch 1-based epoch number
 * @param loss mean training loss over the epoch's batches
 * @param accuracy training accuracy (argmax of the outputs against the labels)
 * @param valLoss validation loss, NaN without validation data
 * @param valAccuracy validation accuracy, NaN without validation data
 * @param lr learning rate of the first group at the end of the epoch
 * @param seconds wall time of the epoch including validation
 * @param imagesPerSecond training throughput
 */
public record EpochStats(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double lr,
    double seconds, double imagesPerSecond) {}
