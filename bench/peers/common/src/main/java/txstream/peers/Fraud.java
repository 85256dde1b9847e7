package txstream.peers;

import java.util.ArrayList;
import java.util.List;

/**
 * The six fraud rules of docs/fraud-rules.md with the thresholds of
 * config/node.example.toml, over one user's history: a port of
 * actors/fraud_rules.cpp and fraud_detector_state.cpp (trim, cooldowns, the
 * amount baseline, the last card payment), so a peer that keeps a UserState
 * per user finds the same anomalies as the node.
 */
public final class Fraud {
  private Fraud() {}

  public static final String[] RULES = {"high_frequency", "card_testing", "amount_spike",
      "impossible_travel", "international_high", "refund_abuse"};
  // Order of RULES; thresholds of config/node.example.toml.
  static final long[] COOLDOWN_MS = {600_000, 1_800_000, 3_600_000, 1_800_000, 600_000, 3_600_000};
  static final int HF_MAX_COUNT = 7;
  static final long HF_WINDOW_MS = 60_000;
  static final long CT_SMALL_CENTS = 200;
  static final int CT_MIN_COUNT = 5;
  static final long CT_WINDOW_MS = 300_000;
  static final double AS_MIN_RATIO = 20.0;
  static final int AS_MIN_HISTORY = 5;
  static final double AS_ALPHA = 0.2;
  static final long AS_MIN_CENTS = 25_000;
  static final long AS_FLOOR_CENTS = 500;
  static final double IT_MAX_SPEED = 900.0;
  static final double IT_MIN_KM = 500.0;
  static final long IT_LOOKBACK_MS = 7_200_000;
  static final long IH_MIN_CENTS = 200_000;
  static final int RA_MIN_REFUNDS = 6;
  static final long RA_WINDOW_MS = 2_700_000;
  static final int MAX_HISTORY = 256;
  /** The longest rule window: how long a transaction stays in the history. */
  static final long RETENTION_MS = Math.max(Math.max(HF_WINDOW_MS, CT_WINDOW_MS),
      Math.max(IT_LOOKBACK_MS, RA_WINDOW_MS));

  /** What the rules remember of one transaction. */
  public static class Recent {
    public String transactionId;
    public int partition;
    public long offset;
    public long eventTimeMs;
    public long usdCents;
    public int city;
    public boolean refund;
    public int method;
    public boolean international;

    public Recent() {}

    boolean card() {
      return method == 0 || method == 1;
    }
  }

  /** Everything kept about one user. */
  public static class UserState {
    /** Transactions within the longest window, oldest first. */
    public ArrayList<Recent> recent = new ArrayList<>(2);
    public double logBaseline;
    public int baselineCount;
    /** Per rule, silent before this event time; null until a rule fired. */
    public long[] cooldowns;
    public long lastSeenMs;
    /** impossible_travel: the last card payment in a known city, or null. */
    public Recent lastCard;

    public UserState() {}
  }

  /** An anomaly, already encoded, and its rule for metrics. */
  public static final class Hit {
    public final String rule;
    public final String json;

    Hit(String rule, String json) {
      this.rule = rule;
      this.json = json;
    }
  }

  /** Runs every rule on `t` for the user whose state is `h`; appends hits to `out`. */
  public static void process(UserState h, Transaction t, long nowMs, List<Hit> out) {
    h.lastSeenMs = Math.max(h.lastSeenMs, t.eventTimeMs);
    trim(h);
    Recent cur = new Recent();
    cur.transactionId = t.transactionId;
    cur.partition = t.partition;
    cur.offset = t.offset;
    cur.eventTimeMs = t.eventTimeMs;
    cur.usdCents = Cities.toUsdCents(t.amountCents, t.currency);
    cur.city = Cities.find(t.location);
    cur.refund = t.isRefund();
    cur.method = t.method;
    cur.international = t.international;
    h.recent.add(cur);
    boolean spiked = false;
    for (int rule = 0; rule < RULES.length; rule++) {
      if (h.cooldowns != null && cur.eventTimeMs < h.cooldowns[rule])
        continue;
      Anomaly a = new Anomaly();
      boolean hit = switch (rule) {
        case 0 -> highFrequency(h, a);
        case 1 -> cardTesting(h, a);
        case 2 -> amountSpike(h, a);
        case 3 -> impossibleTravel(h, a);
        case 4 -> internationalHigh(h, a);
        default -> refundAbuse(h, a);
      };
      if (!hit)
        continue;
      if (rule == 2)
        spiked = true;
      out.add(new Hit(RULES[rule], a.encode(RULES[rule], t.userId, cur.eventTimeMs, nowMs)));
      if (h.cooldowns == null)
        h.cooldowns = new long[RULES.length];
      h.cooldowns[rule] = cur.eventTimeMs + COOLDOWN_MS[rule];
    }
    // A flagged spike must not teach the baseline that spikes are normal.
    if (!spiked)
      updateBaseline(h, cur);
    if (cur.card() && cur.city >= 0)
      h.lastCard = cur;
  }

  static void trim(UserState h) {
    long horizon = h.lastSeenMs - RETENTION_MS;
    int drop = 0;
    while (drop < h.recent.size() && h.recent.get(drop).eventTimeMs <= horizon)
      drop++;
    if (h.recent.size() - drop >= MAX_HISTORY)
      drop = h.recent.size() + 1 - MAX_HISTORY;
    if (drop > 0)
      h.recent.subList(0, drop).clear();
  }

  private static boolean inWindow(Recent t, long now, long windowMs) {
    return now - t.eventTimeMs < windowMs;
  }

  static double excess(double value, double threshold) {
    if (!(value > 0))
      return 0;
    return Math.min(1.0, Math.max(0.0, (value - threshold) / value));
  }

  private static Recent current(UserState h) {
    return h.recent.get(h.recent.size() - 1);
  }

  static boolean highFrequency(UserState h, Anomaly a) {
    Recent cur = current(h);
    long count = 0;
    for (Recent t : h.recent)
      if (inWindow(t, cur.eventTimeMs, HF_WINDOW_MS))
        count++;
    if (count <= HF_MAX_COUNT)
      return false;
    a.score = excess(count, HF_MAX_COUNT);
    a.integer("count", count).integer("max_count", HF_MAX_COUNT).integer("window_ms", HF_WINDOW_MS);
    for (Recent t : h.recent)
      if (inWindow(t, cur.eventTimeMs, HF_WINDOW_MS))
        a.involve(t);
    return true;
  }

  static boolean cardTesting(UserState h, Anomaly a) {
    Recent cur = current(h);
    if (!probe(cur, cur))
      return false;
    long count = 0;
    long total = 0;
    for (Recent t : h.recent)
      if (probe(t, cur)) {
        count++;
        total += t.usdCents;
      }
    if (count < CT_MIN_COUNT)
      return false;
    a.score = excess(count, CT_MIN_COUNT - 1);
    a.integer("count", count).integer("min_count", CT_MIN_COUNT).integer("window_ms", CT_WINDOW_MS)
        .money("small_amount_usd", CT_SMALL_CENTS).money("total_usd", total);
    for (Recent t : h.recent)
      if (probe(t, cur))
        a.involve(t);
    return true;
  }

  private static boolean probe(Recent t, Recent cur) {
    return !t.refund && t.usdCents <= CT_SMALL_CENTS && inWindow(t, cur.eventTimeMs, CT_WINDOW_MS);
  }

  static boolean amountSpike(UserState h, Anomaly a) {
    Recent cur = current(h);
    if (cur.refund || cur.international || h.baselineCount < AS_MIN_HISTORY || cur.usdCents < AS_MIN_CENTS)
      return false;
    double baseline = Math.exp(h.logBaseline);
    double ratio = cur.usdCents / baseline;
    if (ratio < AS_MIN_RATIO)
      return false;
    a.score = excess(ratio, AS_MIN_RATIO);
    a.money("amount_usd", cur.usdCents).money("baseline_usd", Math.round(baseline))
        .number("ratio", ratio).number("min_ratio", AS_MIN_RATIO).integer("history", h.baselineCount);
    a.involve(cur);
    return true;
  }

  static boolean impossibleTravel(UserState h, Anomaly a) {
    Recent cur = current(h);
    Recent prev = h.lastCard;
    if (prev == null || cur.city < 0 || !cur.card())
      return false;
    long elapsed = cur.eventTimeMs - prev.eventTimeMs;
    if (elapsed > IT_LOOKBACK_MS)
      return false;
    double km = Cities.km(prev.city, cur.city);
    if (km < IT_MIN_KM)
      return false;
    // Timestamps are seconds-accurate at best: count at least one minute.
    double hours = Math.max(elapsed, 60_000L) / 3_600_000.0;
    double speed = km / hours;
    if (speed <= IT_MAX_SPEED)
      return false;
    a.score = excess(speed, IT_MAX_SPEED);
    a.text("from_city", Cities.name(prev.city)).text("to_city", Cities.name(cur.city))
        .number("distance_km", km).integer("elapsed_ms", elapsed).number("speed_kmh", speed)
        .number("max_speed_kmh", IT_MAX_SPEED);
    a.involve(prev);
    a.involve(cur);
    return true;
  }

  static boolean internationalHigh(UserState h, Anomaly a) {
    Recent cur = current(h);
    if (!cur.international || cur.refund || cur.usdCents < IH_MIN_CENTS)
      return false;
    a.score = excess(cur.usdCents, IH_MIN_CENTS);
    a.money("amount_usd", cur.usdCents).money("min_amount_usd", IH_MIN_CENTS)
        .text("location", Cities.name(cur.city));
    a.involve(cur);
    return true;
  }

  static boolean refundAbuse(UserState h, Anomaly a) {
    Recent cur = current(h);
    if (!cur.refund)
      return false;
    long refunds = 0;
    long refunded = 0;
    long purchased = 0;
    for (Recent t : h.recent) {
      if (!inWindow(t, cur.eventTimeMs, RA_WINDOW_MS))
        continue;
      if (t.refund) {
        refunds++;
        refunded += t.usdCents;
      } else {
        purchased += t.usdCents;
      }
    }
    if (refunds < RA_MIN_REFUNDS)
      return false;
    a.score = excess(refunds, RA_MIN_REFUNDS - 1);
    a.integer("refunds", refunds).integer("min_refunds", RA_MIN_REFUNDS).integer("window_ms", RA_WINDOW_MS)
        .money("refunded_usd", refunded).money("purchased_usd", purchased);
    for (Recent t : h.recent)
      if (t.refund && inWindow(t, cur.eventTimeMs, RA_WINDOW_MS))
        a.involve(t);
    return true;
  }

  static void updateBaseline(UserState h, Recent cur) {
    if (cur.refund || cur.international || cur.usdCents < AS_FLOOR_CENTS)
      return;
    double x = Math.log(cur.usdCents);
    h.baselineCount++;
    // A plain mean until 1/alpha samples, then exponential.
    double w = Math.max(AS_ALPHA, 1.0 / h.baselineCount);
    h.logBaseline += w * (x - h.logBaseline);
  }

  /** The parts of an anomaly the rules fill; encoded in txstream's field order. */
  static final class Anomaly {
    double score;
    private final StringBuilder details = new StringBuilder(128);
    private final StringBuilder txns = new StringBuilder(128);

    private StringBuilder detail(String name) {
      details.append(details.length() == 0 ? "" : ",");
      Json.string(details, name);
      return details.append(':');
    }

    Anomaly integer(String name, long v) {
      detail(name).append(v);
      return this;
    }

    Anomaly money(String name, long cents) {
      Json.cents(detail(name), cents);
      return this;
    }

    Anomaly number(String name, double v) {
      Json.number(detail(name), v);
      return this;
    }

    Anomaly text(String name, String v) {
      Json.string(detail(name), v);
      return this;
    }

    void involve(Recent t) {
      txns.append(txns.length() == 0 ? "" : ",");
      txns.append("{\"transactionId\":");
      Json.string(txns, t.transactionId);
      txns.append(",\"partition\":").append(t.partition).append(",\"offset\":").append(t.offset).append('}');
    }

    String encode(String rule, String userId, long eventTimeMs, long detectedAtMs) {
      StringBuilder b = new StringBuilder(256 + details.length() + txns.length());
      b.append('{');
      Json.field(b, "ruleId", rule);
      Json.field(b, "ruleVersion", 1);
      Json.field(b, "userId", userId);
      Json.field(b, "eventTime", eventTimeMs);
      Json.field(b, "detectedAt", detectedAtMs);
      b.append("\"score\":");
      Json.number(b, score);
      b.append(",\"details\":{").append(details).append("},\"transactions\":[").append(txns).append("]}");
      return b.toString();
    }
  }
}
