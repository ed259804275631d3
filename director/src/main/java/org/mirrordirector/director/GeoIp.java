package org.mirrordirector.director;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Client locations from MaxMind DB files: GeoLite2 or DB-IP City/Country (nested {@code
 * country.iso_code}, {@code continent.code}, {@code location.latitude/longitude}), ASN databases
 * ({@code autonomous_system_number}), and the flat layout of the ip-location-db packages ({@code
 * country_code}, {@code latitude}, {@code longitude}). Several files are merged: the first that
 * knows a field wins; a known country with no continent from any file gets its country's ({@link
 * CountryContinents}). An address that is not a literal, or that no file knows, is "unknown"; a
 * lookup never fails a request.
 */
public final class GeoIp implements Function<String, ClientLocation>, Closeable {
  private static final Map<String, String> CONTINENTS =
      Map.of("AF", "AF", "AN", "AN", "AS", "AS", "EU", "EU", "NA", "NA", "OC", "OC", "SA", "SA");

  private final List<Reader> readers;
  // An apt run asks many times from one address: each address is looked up once while it is busy.
  // A plain map read on the request path (no shared write per hit, as an LRU's bookkeeping would
  // be); when it is full it is emptied at once and refilled by the lookups that follow.
  private static final int RECENT = 100_000;
  private final java.util.concurrent.ConcurrentHashMap<String, ClientLocation> recent =
      new java.util.concurrent.ConcurrentHashMap<>();

  private GeoIp(List<Reader> readers) {
    this.readers = List.copyOf(readers);
  }

  public static GeoIp none() {
    return new GeoIp(List.of());
  }

  /**
   * Opens each database.
   *
   * @throws IOException naming the file that is missing or not a MaxMind DB
   */
  public static GeoIp open(List<Path> files) throws IOException {
    List<Reader> rs = new ArrayList<>();
    try {
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          throw new IOException("GeoIP database " + f + " does not exist");
        }
        try {
          rs.add(new Reader(f.toFile(), new CHMCache()));
        } catch (IOException | RuntimeException e) {
          throw new IOException(
              "GeoIP database " + f + " is not a MaxMind DB file: " + e.getMessage(), e);
        }
      }
    } catch (IOException e) {
      for (Reader r : rs) {
        r.close();
      }
      throw e;
    }
    return new GeoIp(rs);
  }

  @Override
  public ClientLocation apply(String address) {
    if (address == null || readers.isEmpty()) {
      return ClientLocation.unknown(address);
    }
    ClientLocation c = recent.get(address);
    if (c == null) {
      c = lookup(address);
      if (recent.size() >= RECENT) {
        recent.clear();
      }
      recent.put(address, c);
    }
    return c;
  }

  /** The location from the databases, without the cache of recent addresses. */
  public ClientLocation lookup(String address) {
    byte[] bytes = TrustedProxies.literal(address);
    if (bytes == null || readers.isEmpty()) {
      return ClientLocation.unknown(address);
    }
    String country = null;
    String continent = null;
    Long asn = null;
    Double lat = null;
    Double lon = null;
    try {
      InetAddress ip = InetAddress.getByAddress(bytes);
      for (Reader r : readers) {
        if (bytes.length == 16 && r.getMetadata().getIpVersion() == 4) {
          // An IPv4-only tree (ip-location-db's -ipv4.mmdb) answers an IPv6 address from its
          // first 32 bits: 2003:e0::1 would be 32.3.0.224. Only IPv6 trees locate IPv6 clients.
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> rec = r.get(ip, Map.class);
        if (rec == null) {
          continue;
        }
        if (country == null) {
          country = upper2(str(nested(rec, "country", "iso_code")));
          if (country == null) {
            country = upper2(str(nested(rec, "registered_country", "iso_code")));
          }
          if (country == null) {
            country = upper2(str(rec.get("country_code")));
          }
        }
        if (continent == null) {
          String code = str(nested(rec, "continent", "code"));
          continent = code == null ? null : CONTINENTS.get(code);
        }
        if (asn == null && rec.get("autonomous_system_number") instanceof Number n) {
          asn = n.longValue();
        }
        if (lat == null) {
          lat = num(nested(rec, "location", "latitude"));
          lon = num(nested(rec, "location", "longitude"));
          if (lat == null) {
            lat = num(rec.get("latitude"));
            lon = num(rec.get("longitude"));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return ClientLocation.unknown(address);
    }
    if (continent == null) {
      // A database without continents (ip-location-db's layouts): the country's, so that the
      // continent tier ranks its clients too.
      continent = CountryContinents.of(country);
    }
    if (lat == null || lon == null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      lat = null;
      lon = null;
    }
    return new ClientLocation(address, country, continent, asn, lat, lon);
  }

  private static Object nested(Map<String, Object> rec, String outer, String inner) {
    return rec.get(outer) instanceof Map<?, ?> m ? m.get(inner) : null;
  }

  private static String str(Object o) {
    return o instanceof String s ? s : null;
  }

  private static String upper2(String s) {
    if (s == null || s.length() != 2) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      char c = s.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return null;
      }
    }
    return s.toUpperCase(java.util.Locale.ROOT);
  }

  private static Double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : o instanceof String s ? parse(s) : null;
  }

  private static Double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    for (Reader r : readers) {
      r.close();
    }
  }
}
