/** Ready residual networks: the seed network, CIFAR ResNet-20 to 110 and ImageNet ResNet-18 to 152. */
package io.github.resnet4j.models;
