package txstream.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract's examples (docs/output-contracts.md) and one rule per kind. */
class CommonTest {
  private static final String CANONICAL = "{\"transactionId\":\"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab\","
      + "\"userId\":\"user_000042\",\"amount\":12.05,\"transactionTime\":1700000000123,"
      + "\"merchantId\":\"merchant_0007\",\"transactionType\":\"refund\",\"location\":\"Berlin\","
      + "\"paymentMethod\":\"bank_transfer\",\"isInternational\":true,\"currency\":\"EUR\"}";

  private static Decoder.Result decode(String json, Transaction t) {
    return new Decoder().decode(json.getBytes(StandardCharsets.UTF_8), t);
  }

  @Test
  void decodesAndReencodesTheCanonicalForm() {
    Transaction t = new Transaction();
    assertTrue(decode(CANONICAL, t).ok());
    assertEquals(1205, t.amountCents);
    assertEquals(1700000000123L, t.eventTimeMs);
    assertEquals(CANONICAL, t.toJson());
  }

  @Test
  void reasonsOfTheContract() {
    Transaction t = new Transaction();
    assertEquals("bad_amount", decode(CANONICAL.replace("12.05", "-1"), t).reason);
    assertEquals("bad_time", decode(CANONICAL.replace("1700000000123", "\"x\""), t).reason);
    assertEquals("bad_enum", decode(CANONICAL.replace("\"refund\"", "\"theft\""), t).reason);
    assertEquals("bad_currency", decode(CANONICAL.replace("\"EUR\"", "\"euro\""), t).reason);
    assertEquals("missing_field", decode(CANONICAL.replace("\"userId\":\"user_000042\",", ""), t).reason);
    assertEquals("malformed_json", decode(CANONICAL + "x", t).reason);
    assertEquals("malformed_json", decode(CANONICAL.replace("\"isInternational\"", "\"international\":true,\"isInternational\""), t).reason);
    assertEquals("not_object", decode("[1]", t).reason);
    assertEquals("wrong_type", decode(CANONICAL.replace("\"user_000042\"", "7"), t).reason);
    // Python producer: epoch seconds, half-even to ms; amounts half-even to cents.
    assertTrue(decode(CANONICAL.replace("1700000000123", "1700000000.1235").replace("12.05", "12.345"), t).ok());
    assertEquals(1700000000124L, t.eventTimeMs);
    assertEquals(1234, t.amountCents);
  }

  @Test
  void outputShapes() {
    WindowAgg w = new WindowAgg();
    Transaction a = new Transaction();
    decode(CANONICAL, a);
    w.add(a);
    assertEquals("{\"type\":\"window\",\"merchantId\":\"m\",\"currency\":\"EUR\",\"windowStart\":0,"
        + "\"windowEnd\":60000,\"transactionCount\":1,\"purchaseAmount\":0.00,\"refundAmount\":12.05,"
        + "\"netAmount\":-12.05,\"minAmount\":12.05,\"maxAmount\":12.05}",
        Json.window("m", "EUR", 0, 60000, w));
    RunningTotal t = new RunningTotal();
    assertTrue(t.fold(60000, w));
    assertTrue(!t.fold(60000, w));
    assertEquals("{\"type\":\"total\",\"merchantId\":\"m\",\"currency\":\"EUR\",\"transactionCount\":1,"
        + "\"purchaseAmount\":0.00,\"refundAmount\":12.05,\"netAmount\":-12.05,\"asOf\":59999,"
        + "\"lastWindowEnd\":60000}", Json.total("m", "EUR", t));
  }

  @Test
  void internationalHighAndStateRoundTrip() {
    Fraud.UserState u = new Fraud.UserState();
    Transaction t = new Transaction();
    decode(CANONICAL.replace("\"refund\"", "\"purchase\"").replace("12.05", "3000.00")
        .replace("\"Berlin\"", "\"Tokyo\"").replace("\"EUR\"", "\"USD\""), t);
    t.partition = 2;
    t.offset = 9;
    List<Fraud.Hit> hits = new ArrayList<>();
    Fraud.process(u, t, 5, hits);
    assertEquals(1, hits.size());
    assertEquals("international_high", hits.get(0).rule);
    assertTrue(hits.get(0).json.contains("\"transactions\":[{\"transactionId\":\"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab\",\"partition\":2,\"offset\":9}]"));
    Fraud.UserState back = Binary.user(Binary.user(u));
    assertEquals(1, back.recent.size());
    assertEquals(u.cooldowns[4], back.cooldowns[4]);
    assertNull(back.lastCard);  // bank transfer: not a card payment
    hits.clear();
    Fraud.process(back, t, 6, hits);  // within the cooldown
    assertEquals(0, hits.size());
  }
}
