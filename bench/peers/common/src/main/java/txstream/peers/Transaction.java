package txstream.peers;

/**
 * One decoded input record, money in minor units (cents) as in txstream.
 * Public fields and a no-argument constructor: Flink's POJO serializer takes
 * it as it is, and Kafka Streams' serde below writes it field by field.
 */
public class Transaction {
  public static final int PURCHASE = 0;
  public static final int REFUND = 1;
  /** paymentMethod, in txstream's order. */
  public static final String[] METHODS = {"credit_card", "debit_card", "paypal", "bank_transfer"};

  public String transactionId;
  public String userId;
  public long amountCents;
  public long eventTimeMs;
  public String merchantId;
  public int type;
  public String location;
  public int method;
  public boolean international;
  public String currency;
  /** Where it came from in the input topic (anomalies and dead letters name it). */
  public int partition = -1;
  public long offset = -1;
  /**
   * Set by a stage that found it behind its window's close; never
   * serialized (transient: Flink's POJO serializer skips it too), it only
   * lives between two operators of one task.
   */
  public transient boolean late;

  public Transaction() {}

  public boolean isRefund() {
    return type == REFUND;
  }

  public boolean isCardPayment() {
    return method == 0 || method == 1;
  }

  /** merchant x currency: the aggregation key. */
  public String merchantCurrency() {
    return merchantId + '|' + currency;
  }

  /** The canonical JSON, as txstream's generator writes it (a late record's dead letter). */
  public String toJson() {
    StringBuilder b = new StringBuilder(256);
    b.append('{');
    Json.field(b, "transactionId", transactionId);
    Json.field(b, "userId", userId);
    Json.moneyField(b, "amount", amountCents);
    Json.field(b, "transactionTime", eventTimeMs);
    Json.field(b, "merchantId", merchantId);
    Json.field(b, "transactionType", type == REFUND ? "refund" : "purchase");
    Json.field(b, "location", location);
    Json.field(b, "paymentMethod", METHODS[method]);
    b.append("\"isInternational\":").append(international).append(',');
    Json.field(b, "currency", currency);
    return Json.close(b);
  }
}
