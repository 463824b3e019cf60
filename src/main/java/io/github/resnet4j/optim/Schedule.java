package io.github.resnet4j.optim;

/**
 * A learning-rate schedule: the factor by which the initial learning rate is multiplied at a given
 * optimizer step (0-based, counted in batches). Factories for the usual shapes are static methods;
 * {@link #withWarmup(int)} composes a linear warm-up in front of any schedule.
 *
 * <pre>{@code
 * Schedule s = Schedule.cosine(epochs * stepsPerEpoch, 0).withWarmup(500);
 * optimizer.scaleLr(s.factor(step));
 * }</pre>
 */
@FunctionalInterface
public interface Schedule {
  /**
   * The multiplier of the initial learning rate.
   *
   * @param step the optimizer step about to run, from 0
   * @return the factor
   */
  double factor(long step);

  /**
   * A constant factor of 1.
   *
   * @return the schedule
   */
  static Schedule constant() {
    return step -> 1;
  }

  /**
   * Multiplies by gamma every {@code stepSize} steps (StepLR).
   *
   * @param stepSize steps between decays, positive
   * @param gamma the decay factor
   * @return the schedule
   */
  static Schedule step(long stepSize, double gamma) {
    if (stepSize <= 0) {
      throw new IllegalArgumentException("Schedule.step: stepSize must be positive, got " + stepSize);
    }
    return step -> Math.pow(gamma, step / stepSize);
  }

  /**
   * Multiplies by gamma at each milestone (MultiStepLR).
   *
   * @param milestones increasing step numbers
   * @param gamma the decay factor
   * @return the schedule
   */
  static Schedule multiStep(long[] milestones, double gamma) {
    long[] m = milestones.clone();
    for (int i = 1; i < m.length; i++) {
      if (m[i] <= m[i - 1]) {
        throw new IllegalArgumentException("Schedule.multiStep: milestones must increase: "
            + java.util.Arrays.toString(milestones));
      }
    }
    return step -> {
      int passed = 0;
      for (long x : m) {
        passed += step >= x ? 1 : 0;
      }
      return Math.pow(gamma, passed);
    };
  }

  /**
   * Cosine annealing from 1 to {@code minFactor} over {@code totalSteps} (CosineAnnealingLR), then flat.
   *
   * @param totalSteps length of the decay, positive
   * @param minFactor the final factor
   * @return the schedule
   */
  static Schedule cosine(long totalSteps, double minFactor) {
    if (totalSteps <= 0) {
      throw new IllegalArgumentException("Schedule.cosine: totalSteps must be positive, got " + totalSteps);
    }
    return step -> {
      double t = Math.min(step, totalSteps) / (double) totalSteps;
      return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
    };
  }

  /**
   * The one-cycle policy (OneCycleLR with cosine annealing, PyTorch's defaults): from 1/25 of the initial
   * (peak) rate up to it over the first 30 % of the steps, then down to 1/(25 * 10^4) of it.
   *
   * @param totalSteps the whole run, positive
   * @return the schedule
   */
  static Schedule oneCycle(long totalSteps) {
    return oneCycle(totalSteps, 0.3, 25, 1e4);
  }

  /**
   * The one-cycle policy with explicit shape.
   *
   * @param totalSteps the whole run
   * @param pctStart fraction of steps spent rising, in (0, 1)
   * @param divFactor initial factor is 1/divFactor
   * @param finalDivFactor final factor is 1/(divFactor*finalDivFactor)
   * @return the schedule
   */
  static Schedule oneCycle(long totalSteps, double pctStart, double divFactor, double finalDivFactor) {
    if (totalSteps <= 1 || !(pctStart > 0 && pctStart < 1) || !(divFactor > 0) || !(finalDivFactor > 0)) {
      throw new IllegalArgumentException("Schedule.oneCycle: needs totalSteps > 1, pctStart in (0, 1) and positive"
          + " divisors; got " + totalSteps + ", " + pctStart + ", " + divFactor + ", " + finalDivFactor);
    }
    double start = 1 / divFactor;
    double end = start / finalDivFactor;
    double up = pctStart * totalSteps - 1;
    double down = totalSteps - 1 - up;
    return step -> {
      if (step <= up) {
        return cosineBetween(start, 1, up <= 0 ? 1 : step / up);
      }
      return cosineBetween(1, end, Math.min(1, (step - up) / down));
    };
  }

  private static double cosineBetween(double from, double to, double t) {
    return to + (from - to) * 0.5 * (1 + Math.cos(Math.PI * t));
  }

  /**
   * This schedule after a linear warm-up: the factor rises from 1/warmupSteps to this schedule's value
   * over the first {@code warmupSteps} steps; the inner schedule runs on unshifted step numbers.
   *
   * @param warmupSteps steps of warm-up, non-negative
   * @return the composed schedule
   */
  default Schedule withWarmup(long warmupSteps) {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("Schedule.withWarmup: warm-up steps must be non-negative, got "
          + warmupSteps);
    }
    return step -> step < warmupSteps ? factor(step) * (step + 1) / (double) warmupSteps : factor(step);
  }
}
