package io.github.resnet4j.train;

/**
 * Results of {@link Trainer#evaluate}: mean loss, accuracy and the confusion matrix.
 *
 * @param loss mean loss over the examples
 * @param accuracy fraction classified correctly
 * @param confusion {@code confusion[label][predicted]} counts, K x K
 */
public record Evaluation(double loss, double accuracy, long[][] confusion) {
  /**
   * The number of examples evaluated.
   *
   * @return the sum of the confusion matrix
   */
  public long count() {
    long n = 0;
    for (long[] row : confusion) {
      for (long v : row) {
        n += v;
      }
    }
    return n;
  }

  /**
   * The confusion matrix as aligned text, rows = true labels, columns = predictions.
   *
   * @return the table
   */
  public String confusionTable() {
    StringBuilder sb = new StringBuilder("true\\pred");
    for (int j = 0; j < confusion.length; j++) {
      sb.append(String.format(java.util.Locale.ROOT, "%7d", j));
    }
    sb.append('\n');
    for (int i = 0; i < confusion.length; i++) {
      sb.append(String.format(java.util.Locale.ROOT, "%9d", i));
      for (long v : confusion[i]) {
        sb.append(String.format(java.util.Locale.ROOT, "%7d", v));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
