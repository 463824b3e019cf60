package io.github.resnet4j.cli;

/** A bad argument or input file: the CLI prints the message on one line and exits with code 2. */
final class UsageException extends Exception {
  UsageException(String message) {
    super(message);
  }

  UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
