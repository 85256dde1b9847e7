package txstream.peers;

/** count, sums and extremes of one merchant x currency window, in cents. */
public class WindowAgg {
  public long count;
  public long purchase;
  public long refund;
  public long min;
  public long max;

  public WindowAgg() {}

  public WindowAgg add(Transaction t) {
    if (count == 0) {
      min = max = t.amountCents;
    } else {
      min = Math.min(min, t.amountCents);
      max = Math.max(max, t.amountCents);
    }
    count++;
    if (t.isRefund())
      refund += t.amountCents;
    else
      purchase += t.amountCents;
    return this;
  }

  public WindowAgg merge(WindowAgg o) {
    if (o.count == 0)
      return this;
    if (count == 0) {
      min = o.min;
      max = o.max;
    } else {
      min = Math.min(min, o.min);
      max = Math.max(max, o.max);
    }
    count += o.count;
    purchase += o.purchase;
    refund += o.refund;
    return this;
  }
}
