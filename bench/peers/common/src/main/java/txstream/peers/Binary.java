package txstream.peers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Compact binary forms of the state and the records between stages, for a
 * framework that stores or ships bytes (Kafka Streams' stores, changelogs and
 * repartition topics). Field by field, no reflection.
 */
public final class Binary {
  private Binary() {}

  @FunctionalInterface
  interface Writer<T> {
    void write(DataOutputStream out, T value) throws IOException;
  }

  @FunctionalInterface
  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static <T> byte[] bytes(T value, Writer<T> w) {
    if (value == null)
      return null;
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(buf);
      w.write(out, value);
      out.flush();
      return buf.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T value(byte[] data, Reader<T> r) {
    if (data == null)
      return null;
    try {
      return r.read(new DataInputStream(new ByteArrayInputStream(data)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] transaction(Transaction t) {
    return bytes(t, (out, x) -> {
      out.writeUTF(x.transactionId);
      out.writeUTF(x.userId);
      out.writeLong(x.amountCents);
      out.writeLong(x.eventTimeMs);
      out.writeUTF(x.merchantId);
      out.writeByte(x.type);
      out.writeUTF(x.location);
      out.writeByte(x.method);
      out.writeBoolean(x.international);
      out.writeUTF(x.currency);
      out.writeInt(x.partition);
      out.writeLong(x.offset);
    });
  }

  public static Transaction transaction(byte[] data) {
    return value(data, in -> {
      Transaction x = new Transaction();
      x.transactionId = in.readUTF();
      x.userId = in.readUTF();
      x.amountCents = in.readLong();
      x.eventTimeMs = in.readLong();
      x.merchantId = in.readUTF();
      x.type = in.readByte();
      x.location = in.readUTF();
      x.method = in.readByte();
      x.international = in.readBoolean();
      x.currency = in.readUTF();
      x.partition = in.readInt();
      x.offset = in.readLong();
      return x;
    });
  }

  private static void writeRecent(DataOutputStream out, Fraud.Recent r) throws IOException {
    out.writeUTF(r.transactionId);
    out.writeInt(r.partition);
    out.writeLong(r.offset);
    out.writeLong(r.eventTimeMs);
    out.writeLong(r.usdCents);
    out.writeShort(r.city);
    out.writeByte((r.refund ? 1 : 0) | (r.international ? 2 : 0) | (r.method << 2));
  }

  private static Fraud.Recent readRecent(DataInputStream in) throws IOException {
    Fraud.Recent r = new Fraud.Recent();
    r.transactionId = in.readUTF();
    r.partition = in.readInt();
    r.offset = in.readLong();
    r.eventTimeMs = in.readLong();
    r.usdCents = in.readLong();
    r.city = in.readShort();
    int bits = in.readByte();
    r.refund = (bits & 1) != 0;
    r.international = (bits & 2) != 0;
    r.method = (bits >> 2) & 3;
    return r;
  }

  public static byte[] user(Fraud.UserState u) {
    return bytes(u, (out, x) -> {
      out.writeShort(x.recent.size());
      int lastCardAt = -1;
      for (int i = 0; i < x.recent.size(); i++) {
        writeRecent(out, x.recent.get(i));
        if (x.recent.get(i) == x.lastCard)
          lastCardAt = i;
      }
      out.writeDouble(x.logBaseline);
      out.writeInt(x.baselineCount);
      out.writeLong(x.lastSeenMs);
      out.writeBoolean(x.cooldowns != null);
      if (x.cooldowns != null)
        for (long c : x.cooldowns)
          out.writeLong(c);
      // The last card payment by index when it is still in the history
      // (the common case), else a copy.
      out.writeShort(x.lastCard == null ? -2 : lastCardAt);
      if (x.lastCard != null && lastCardAt < 0)
        writeRecent(out, x.lastCard);
    });
  }

  public static Fraud.UserState user(byte[] data) {
    return value(data, in -> {
      Fraud.UserState x = new Fraud.UserState();
      int n = in.readShort();
      x.recent.ensureCapacity(n + 1);
      for (int i = 0; i < n; i++)
        x.recent.add(readRecent(in));
      x.logBaseline = in.readDouble();
      x.baselineCount = in.readInt();
      x.lastSeenMs = in.readLong();
      if (in.readBoolean()) {
        x.cooldowns = new long[Fraud.RULES.length];
        for (int i = 0; i < x.cooldowns.length; i++)
          x.cooldowns[i] = in.readLong();
      }
      int lastCardAt = in.readShort();
      if (lastCardAt >= 0)
        x.lastCard = x.recent.get(lastCardAt);
      else if (lastCardAt == -1)
        x.lastCard = readRecent(in);
      return x;
    });
  }

  public static byte[] window(WindowAgg w) {
    return bytes(w, (out, x) -> {
      out.writeLong(x.count);
      out.writeLong(x.purchase);
      out.writeLong(x.refund);
      out.writeLong(x.min);
      out.writeLong(x.max);
    });
  }

  public static WindowAgg window(byte[] data) {
    return value(data, in -> {
      WindowAgg x = new WindowAgg();
      x.count = in.readLong();
      x.purchase = in.readLong();
      x.refund = in.readLong();
      x.min = in.readLong();
      x.max = in.readLong();
      return x;
    });
  }

  public static byte[] total(RunningTotal t) {
    return bytes(t, (out, x) -> {
      out.writeLong(x.count);
      out.writeLong(x.purchase);
      out.writeLong(x.refund);
      out.writeLong(x.lastWindowEnd);
    });
  }

  public static RunningTotal total(byte[] data) {
    return value(data, in -> {
      RunningTotal x = new RunningTotal();
      x.count = in.readLong();
      x.purchase = in.readLong();
      x.refund = in.readLong();
      x.lastWindowEnd = in.readLong();
      return x;
    });
  }
}
