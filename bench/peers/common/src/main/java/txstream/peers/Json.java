package txstream.peers;

/**
 * The output JSON of docs/output-contracts.md, written by hand in the field
 * order txstream writes: amounts with exactly two decimals from cents, never
 * through a double.
 */
public final class Json {
  private Json() {}

  public static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20)
            b.append(String.format("\\u%04x", (int) c));
          else
            b.append(c);
        }
      }
    }
    b.append('"');
  }

  public static void cents(StringBuilder b, long cents) {
    // The magnitude as unsigned: -Long.MIN_VALUE overflows.
    if (cents < 0)
      b.append('-');
    String mag = Long.toUnsignedString(cents < 0 ? -cents : cents);
    if (mag.length() < 3)
      mag = "00".substring(mag.length() - 1) + mag;
    b.append(mag, 0, mag.length() - 2).append('.').append(mag, mag.length() - 2, mag.length());
  }

  /** A finite double as a JSON number, null otherwise. */
  public static void number(StringBuilder b, double x) {
    if (!Double.isFinite(x)) {
      b.append("null");
      return;
    }
    if (x == Math.rint(x) && Math.abs(x) < 1e15)
      b.append((long) x);
    else
      b.append(x);
  }

  static void key(StringBuilder b, String k) {
    b.append('"').append(k).append("\":");
  }

  public static void field(StringBuilder b, String k, String v) {
    key(b, k);
    string(b, v);
    b.append(',');
  }

  public static void field(StringBuilder b, String k, long v) {
    key(b, k);
    b.append(v).append(',');
  }

  public static void moneyField(StringBuilder b, String k, long cents) {
    key(b, k);
    cents(b, cents);
    b.append(',');
  }

  /** Replaces the trailing comma with the closing brace. */
  public static String close(StringBuilder b) {
    if (b.charAt(b.length() - 1) == ',')
      b.setCharAt(b.length() - 1, '}');
    else
      b.append('}');
    return b.toString();
  }

  /** A closed window of merchant x currency (type "window"). */
  public static String window(String merchant, String currency, long start, long end, WindowAgg a) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"type\":\"window\",");
    field(b, "merchantId", merchant);
    field(b, "currency", currency);
    field(b, "windowStart", start);
    field(b, "windowEnd", end);
    field(b, "transactionCount", a.count);
    moneyField(b, "purchaseAmount", a.purchase);
    moneyField(b, "refundAmount", a.refund);
    moneyField(b, "netAmount", a.purchase - a.refund);
    moneyField(b, "minAmount", a.min);
    moneyField(b, "maxAmount", a.max);
    return close(b);
  }

  /** Running totals of merchant x currency (type "total"). */
  public static String total(String merchant, String currency, RunningTotal t) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"type\":\"total\",");
    field(b, "merchantId", merchant);
    field(b, "currency", currency);
    field(b, "transactionCount", t.count);
    moneyField(b, "purchaseAmount", t.purchase);
    moneyField(b, "refundAmount", t.refund);
    moneyField(b, "netAmount", t.purchase - t.refund);
    field(b, "asOf", t.lastWindowEnd - 1);
    field(b, "lastWindowEnd", t.lastWindowEnd);
    return close(b);
  }
}
