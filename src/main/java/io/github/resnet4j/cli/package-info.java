/** The command-line interface: train, eval, summary, predict and bench. */
package io.github.resnet4j.cli;
