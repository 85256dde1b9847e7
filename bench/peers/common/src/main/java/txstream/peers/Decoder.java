package txstream.peers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * The input contract of docs/output-contracts.md ("Input"): the same fields,
 * types, ranges and dead-letter reason codes as txstream's decoder, on
 * Jackson's streaming parser. Invalid records come back as a reason and a
 * detail for the dead-letter headers. Not thread-safe (one per task).
 */
public final class Decoder {
  public static final int MAX_PAYLOAD = 64 * 1024;
  public static final int MAX_STRING = 128;
  public static final int MAX_DEPTH = 32;
  private static final BigDecimal SECONDS_BELOW = BigDecimal.valueOf(100_000_000_000L);
  private static final long MIN_TIME_MS = 100_000_000_000L;
  private static final long MAX_TIME_MS = 32_503_680_000_000L; // 3000-01-01
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  /** The schema's fields in the order missing ones are reported. */
  private static final String[] FIELDS = {"transactionId", "userId", "amount", "transactionTime",
      "merchantId", "transactionType", "location", "paymentMethod", "isInternational", "currency"};

  private final JsonFactory factory = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  /** Outcome of one decode: ok, or the reason code and a human detail. */
  public static final class Result {
    public String reason;
    public String detail;

    public boolean ok() {
      return reason == null;
    }

    void fail(String r, String d) {
      if (reason == null) {
        reason = r;
        detail = d;
      }
    }
  }

  /**
   * Decodes `payload` into `out` (whose partition and offset the caller
   * sets). Returns the result; on failure `out` is half filled.
   */
  public Result decode(byte[] payload, Transaction out) {
    Result r = new Result();
    if (payload == null) {
      r.fail("malformed_json", "empty payload");
      return r;
    }
    if (payload.length > MAX_PAYLOAD) {
      r.fail("too_large", "payload of " + payload.length + " bytes (limit " + MAX_PAYLOAD + ")");
      return r;
    }
    // Field errors wait: an error that makes the text invalid wins over
    // them wherever it is (the contract's precedence).
    Result field = new Result();
    int seen = 0;
    try (JsonParser p = factory.createParser(payload)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        r.fail("malformed_json", "empty payload");
        return r;
      }
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        if (p.nextToken() != null)
          r.fail("malformed_json", "trailing bytes after the value");
        else
          r.fail("not_object", "top-level value is not an object");
        return r;
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        int index = indexOf(name);
        if (index < 0) {
          p.skipChildren();
          continue;
        }
        if ((seen & (1 << index)) != 0) {
          r.fail("malformed_json", "duplicate field " + FIELDS[index]);
          p.skipChildren();
          continue;
        }
        seen |= 1 << index;
        readField(p, index, out, field);
      }
      if (t != JsonToken.END_OBJECT)
        r.fail("malformed_json", "object not closed");
      else if (p.nextToken() != null)
        r.fail("malformed_json", "trailing bytes after the value");
    } catch (JsonParseException e) {
      String m = String.valueOf(e.getOriginalMessage());
      if (m.contains("UTF-8") || m.contains("UTF8") || m.contains("surrogate"))
        r.fail("invalid_utf8", m);
      else if (m.contains("nesting depth"))
        r.fail("too_large", "nesting over " + MAX_DEPTH + " levels");
      else
        r.fail("malformed_json", m);
      return r;
    } catch (IOException | RuntimeException e) {
      r.fail("malformed_json", String.valueOf(e.getMessage()));
      return r;
    }
    if (!r.ok())
      return r;
    if (!field.ok())
      return field;
    for (int i = 0; i < FIELDS.length; i++)
      if ((seen & (1 << i)) == 0) {
        r.fail("missing_field", FIELDS[i] + ": missing");
        return r;
      }
    return r;
  }

  private static int indexOf(String name) {
    switch (name) {
      case "transactionId": return 0;
      case "userId": return 1;
      case "amount": return 2;
      case "transactionTime": return 3;
      case "merchantId": return 4;
      case "transactionType": return 5;
      case "location": return 6;
      case "paymentMethod": return 7;
      case "isInternational":
      case "international": return 8;
      case "currency": return 9;
      default: return -1;
    }
  }

  private static boolean isNumber(JsonToken t) {
    return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT;
  }

  private void readField(JsonParser p, int index, Transaction out, Result field) throws IOException {
    JsonToken t = p.currentToken();
    String name = FIELDS[index];
    switch (index) {
      case 0, 1, 4, 6 -> {
        if (t != JsonToken.VALUE_STRING) {
          field.fail("wrong_type", name + ": not a string");
          p.skipChildren();
          return;
        }
        String s = p.getText();
        if (s.isEmpty())
          field.fail("empty_field", name + ": empty");
        else if (s.length() > MAX_STRING && s.getBytes(StandardCharsets.UTF_8).length > MAX_STRING)
          field.fail("too_large", name + ": longer than " + MAX_STRING + " bytes");
        switch (index) {
          case 0 -> out.transactionId = s;
          case 1 -> out.userId = s;
          case 4 -> out.merchantId = s;
          default -> out.location = s;
        }
      }
      case 2 -> {
        if (t == JsonToken.VALUE_STRING) {
          field.fail("bad_amount", "amount: a string");
          return;
        }
        if (!isNumber(t)) {
          field.fail("wrong_type", "amount: not a number");
          p.skipChildren();
          return;
        }
        BigDecimal v = p.getDecimalValue();
        if (v.signum() < 0) {
          field.fail("bad_amount", "amount: negative amount");
          return;
        }
        try {
          out.amountCents = v.setScale(2, RoundingMode.HALF_EVEN).unscaledValue().longValueExact();
        } catch (ArithmeticException e) {
          field.fail("bad_amount", "amount: beyond int64 cents");
        }
      }
      case 3 -> {
        if (!isNumber(t)) {
          field.fail("bad_time", "transactionTime: not a number");
          p.skipChildren();
          return;
        }
        BigDecimal v = p.getDecimalValue();
        // Below 1e11 the Python producer's epoch seconds, else epoch ms.
        if (v.compareTo(SECONDS_BELOW) < 0)
          v = v.multiply(THOUSAND);
        v = v.setScale(0, RoundingMode.HALF_EVEN);
        if (v.compareTo(BigDecimal.valueOf(MIN_TIME_MS)) < 0
            || v.compareTo(BigDecimal.valueOf(MAX_TIME_MS)) > 0) {
          field.fail("bad_time", "transactionTime: out of range");
          return;
        }
        out.eventTimeMs = v.longValue();
      }
      case 5 -> {
        if (t != JsonToken.VALUE_STRING) {
          field.fail("wrong_type", name + ": not a string");
          p.skipChildren();
          return;
        }
        switch (p.getText()) {
          case "purchase" -> out.type = Transaction.PURCHASE;
          case "refund" -> out.type = Transaction.REFUND;
          default -> field.fail("bad_enum", name + ": unknown value");
        }
      }
      case 7 -> {
        if (t != JsonToken.VALUE_STRING) {
          field.fail("wrong_type", name + ": not a string");
          p.skipChildren();
          return;
        }
        switch (p.getText()) {
          case "credit_card" -> out.method = 0;
          case "debit_card" -> out.method = 1;
          case "paypal" -> out.method = 2;
          case "bank_transfer" -> out.method = 3;
          default -> field.fail("bad_enum", name + ": unknown value");
        }
      }
      case 8 -> {
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
          out.international = t == JsonToken.VALUE_TRUE;
        } else if (t == JsonToken.VALUE_STRING) {
          switch (p.getText()) {
            case "true", "True" -> out.international = true;
            case "false", "False" -> out.international = false;
            default -> field.fail("wrong_type", name + ": not a boolean");
          }
        } else {
          field.fail("wrong_type", name + ": not a boolean");
          p.skipChildren();
        }
      }
      default -> {
        if (t != JsonToken.VALUE_STRING) {
          field.fail("wrong_type", name + ": not a string");
          p.skipChildren();
          return;
        }
        String s = p.getText();
        if (s.length() != 3 || !upper(s.charAt(0)) || !upper(s.charAt(1)) || !upper(s.charAt(2)))
          field.fail("bad_currency", "currency: not three upper-case letters");
        out.currency = s;
      }
    }
  }

  private static boolean upper(char c) {
    return c >= 'A' && c <= 'Z';
  }
}
