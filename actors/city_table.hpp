// Built-in reference data: world cities with coordinates and currency, and
// reference exchange rates. Shared by the generator and the fraud detector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace txstream {

/// One city of the built-in table.
struct city {
  std::string_view name;      // unique, ASCII, e.g. "Sao Paulo"
  std::string_view country;   // ISO 3166-1 alpha-2, e.g. "BR"
  std::string_view currency;  // ISO 4217, e.g. "BRL"
  double latitude;            // degrees, -90..90
  double longitude;           // degrees, -180..180
};

/// Number of cities in the table (at least 100).
std::size_t city_count();

/// The city at `index` < city_count().
const city& city_at(std::size_t index);

/// Index of the city named `name`, or -1 when the table does not know it.
std::int32_t find_city(std::string_view name);

/// Great-circle (haversine) distance in kilometres on a spherical Earth.
double great_circle_km(const city& a, const city& b);

/// great_circle_km() of the table's cities `a` and `b` (< city_count()),
/// computed once for every pair: the fraud detector asks per card payment.
double great_circle_km(std::size_t a, std::size_t b);

/// Reference units of `currency` per US dollar, or 0 for an unknown code.
/// Approximate, fixed rates: good for thresholds, never for settlement.
double units_per_usd(std::string_view currency);

/// Converts minor units of `currency` to US cents (face value when unknown).
std::int64_t to_usd_cents(std::int64_t amount_minor, std::string_view currency);

/// Converts US cents to minor units of `currency` (at least 1).
std::int64_t from_usd_cents(std::int64_t usd_cents, std::string_view currency);

}  // namespace txstream
