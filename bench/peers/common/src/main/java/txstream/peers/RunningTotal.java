package txstream.peers;

/** Totals of merchant x currency over every window closed so far. */
public class RunningTotal {
  public long count;
  public long purchase;
  public long refund;
  public long lastWindowEnd;

  public RunningTotal() {}

  /**
   * Folds a closed window in, once: a window re-emitted after a restart
   * (at-least-once) ends at or before lastWindowEnd and is skipped, as
   * txstream's totals do.
   */
  public boolean fold(long windowEnd, WindowAgg w) {
    if (windowEnd <= lastWindowEnd)
      return false;
    count += w.count;
    purchase += w.purchase;
    refund += w.refund;
    lastWindowEnd = windowEnd;
    return true;
  }
}
