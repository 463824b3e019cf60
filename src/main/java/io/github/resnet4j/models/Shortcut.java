package io.github.resnet4j.models;

/**
 * Which shortcut a block uses where its shape changes: a 1x1-conv + BatchNorm projection (option B, the
 * default and torchvision's), or the parameter-free zero-padded identity of the CIFAR experiments in He
 * et al. 2015 (option A).
 */
public enum Shortcut {
  /** 1x1 convolution + BatchNorm where stride or channels change; identity elsewhere. */
  PROJECTION,
  /** Subsample by the stride and pad the new channels with zeros; no parameters. */
  ZERO_PAD
}
