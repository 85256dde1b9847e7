package txstream.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * txstream's city table and reference exchange rates (actors/city_table.cpp),
 * read from cities.tsv and rates.tsv, which the build extracts from that
 * file: the fraud rules convert to USD and measure distances exactly as the
 * node does.
 */
public final class Cities {
  private static final double EARTH_RADIUS_KM = 6371.0;
  private static final List<String> NAMES = new ArrayList<>();
  private static final Map<String, Integer> INDEX = new HashMap<>();
  private static final Map<String, Double> PER_USD = new HashMap<>();
  private static final double[] KM;

  static {
    List<double[]> coords = new ArrayList<>();
    for (String[] f : read("cities.tsv")) {
      INDEX.put(f[0], NAMES.size());
      NAMES.add(f[0]);
      coords.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
    }
    for (String[] f : read("rates.tsv"))
      PER_USD.put(f[0], Double.parseDouble(f[1]));
    if (NAMES.size() < 100 || PER_USD.isEmpty())
      throw new IllegalStateException("city table incomplete: " + NAMES.size() + " cities");
    int n = NAMES.size();
    KM = new double[n * n];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        KM[i * n + j] = haversine(coords.get(i), coords.get(j));
  }

  private Cities() {}

  private static List<String[]> read(String resource) {
    List<String[]> rows = new ArrayList<>();
    try (InputStream in = Cities.class.getResourceAsStream("/" + resource)) {
      if (in == null)
        throw new IllegalStateException(resource + " is not on the class path (bench/peers/build makes it)");
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; )
        if (!line.isEmpty())
          rows.add(line.split("\t"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private static double radians(double deg) {
    return deg * Math.PI / 180.0;
  }

  private static double haversine(double[] a, double[] b) {
    double dlat = radians(b[0] - a[0]);
    double dlon = radians(b[1] - a[1]);
    double h = Math.sin(dlat / 2) * Math.sin(dlat / 2)
        + Math.cos(radians(a[0])) * Math.cos(radians(b[0])) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(h)));
  }

  public static int find(String name) {
    Integer i = INDEX.get(name);
    return i == null ? -1 : i;
  }

  public static String name(int index) {
    return index >= 0 ? NAMES.get(index) : "?";
  }

  public static double km(int a, int b) {
    return KM[a * NAMES.size() + b];
  }

  /** Minor units of `currency` in US cents; face value for an unknown code. */
  public static long toUsdCents(long minor, String currency) {
    Double perUsd = PER_USD.get(currency);
    if (perUsd == null || perUsd <= 0)
      return minor;
    return Math.round(minor / perUsd);
  }
}
