#include "actors/city_table.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <iterator>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace txstream {

namespace {

constexpr city cities[] = {
  // North America
  {"New York", "US", "USD", 40.71, -74.01},
  {"Los Angeles", "US", "USD", 34.05, -118.24},
  {"Chicago", "US", "USD", 41.88, -87.63},
  {"Houston", "US", "USD", 29.76, -95.37},
  {"Phoenix", "US", "USD", 33.45, -112.07},
  {"Philadelphia", "US", "USD", 39.95, -75.17},
  {"San Antonio", "US", "USD", 29.42, -98.49},
  {"San Diego", "US", "USD", 32.72, -117.16},
  {"Dallas", "US", "USD", 32.78, -96.80},
  {"San Francisco", "US", "USD", 37.77, -122.42},
  {"Seattle", "US", "USD", 47.61, -122.33},
  {"Boston", "US", "USD", 42.36, -71.06},
  {"Miami", "US", "USD", 25.76, -80.19},
  {"Atlanta", "US", "USD", 33.75, -84.39},
  {"Denver", "US", "USD", 39.74, -104.99},
  {"Washington", "US", "USD", 38.91, -77.04},
  {"Las Vegas", "US", "USD", 36.17, -115.14},
  {"Minneapolis", "US", "USD", 44.98, -93.27},
  {"Detroit", "US", "USD", 42.33, -83.05},
  {"Honolulu", "US", "USD", 21.31, -157.86},
  {"Anchorage", "US", "USD", 61.22, -149.90},
  {"Toronto", "CA", "CAD", 43.65, -79.38},
  {"Montreal", "CA", "CAD", 45.50, -73.57},
  {"Vancouver", "CA", "CAD", 49.28, -123.12},
  {"Calgary", "CA", "CAD", 51.05, -114.07},
  {"Ottawa", "CA", "CAD", 45.42, -75.70},
  {"Mexico City", "MX", "MXN", 19.43, -99.13},
  {"Guadalajara", "MX", "MXN", 20.66, -103.35},
  {"Monterrey", "MX", "MXN", 25.69, -100.32},
  {"Cancun", "MX", "MXN", 21.16, -86.85},
  // South America
  {"Sao Paulo", "BR", "BRL", -23.55, -46.63},
  {"Rio de Janeiro", "BR", "BRL", -22.91, -43.17},
  {"Brasilia", "BR", "BRL", -15.79, -47.88},
  {"Salvador", "BR", "BRL", -12.97, -38.50},
  {"Buenos Aires", "AR", "ARS", -34.60, -58.38},
  {"Cordoba", "AR", "ARS", -31.42, -64.18},
  {"Santiago", "CL", "CLP", -33.45, -70.67},
  {"Lima", "PE", "PEN", -12.05, -77.04},
  {"Bogota", "CO", "COP", 4.71, -74.07},
  {"Medellin", "CO", "COP", 6.24, -75.58},
  // Europe
  {"London", "GB", "GBP", 51.51, -0.13},
  {"Manchester", "GB", "GBP", 53.48, -2.24},
  {"Birmingham", "GB", "GBP", 52.49, -1.89},
  {"Edinburgh", "GB", "GBP", 55.95, -3.19},
  {"Glasgow", "GB", "GBP", 55.86, -4.25},
  {"Dublin", "IE", "EUR", 53.35, -6.26},
  {"Paris", "FR", "EUR", 48.86, 2.35},
  {"Lyon", "FR", "EUR", 45.76, 4.84},
  {"Marseille", "FR", "EUR", 43.30, 5.37},
  {"Nice", "FR", "EUR", 43.70, 7.27},
  {"Toulouse", "FR", "EUR", 43.60, 1.44},
  {"Berlin", "DE", "EUR", 52.52, 13.40},
  {"Munich", "DE", "EUR", 48.14, 11.58},
  {"Hamburg", "DE", "EUR", 53.55, 9.99},
  {"Frankfurt", "DE", "EUR", 50.11, 8.68},
  {"Cologne", "DE", "EUR", 50.94, 6.96},
  {"Madrid", "ES", "EUR", 40.42, -3.70},
  {"Barcelona", "ES", "EUR", 41.39, 2.17},
  {"Valencia", "ES", "EUR", 39.47, -0.38},
  {"Seville", "ES", "EUR", 37.39, -5.98},
  {"Rome", "IT", "EUR", 41.90, 12.50},
  {"Milan", "IT", "EUR", 45.46, 9.19},
  {"Naples", "IT", "EUR", 40.85, 14.27},
  {"Turin", "IT", "EUR", 45.07, 7.69},
  {"Amsterdam", "NL", "EUR", 52.37, 4.90},
  {"Rotterdam", "NL", "EUR", 51.92, 4.48},
  {"Brussels", "BE", "EUR", 50.85, 4.35},
  {"Lisbon", "PT", "EUR", 38.72, -9.14},
  {"Porto", "PT", "EUR", 41.15, -8.61},
  {"Vienna", "AT", "EUR", 48.21, 16.37},
  {"Zurich", "CH", "CHF", 47.38, 8.54},
  {"Geneva", "CH", "CHF", 46.20, 6.14},
  {"Stockholm", "SE", "SEK", 59.33, 18.07},
  {"Gothenburg", "SE", "SEK", 57.71, 11.97},
  {"Oslo", "NO", "NOK", 59.91, 10.75},
  {"Copenhagen", "DK", "DKK", 55.68, 12.57},
  {"Helsinki", "FI", "EUR", 60.17, 24.94},
  {"Reykjavik", "IS", "ISK", 64.15, -21.94},
  {"Warsaw", "PL", "PLN", 52.23, 21.01},
  {"Krakow", "PL", "PLN", 50.06, 19.94},
  {"Prague", "CZ", "CZK", 50.08, 14.44},
  {"Budapest", "HU", "HUF", 47.50, 19.04},
  {"Bucharest", "RO", "RON", 44.43, 26.10},
  {"Athens", "GR", "EUR", 37.98, 23.73},
  {"Istanbul", "TR", "TRY", 41.01, 28.98},
  {"Ankara", "TR", "TRY", 39.93, 32.86},
  {"Moscow", "RU", "RUB", 55.76, 37.62},
  {"Saint Petersburg", "RU", "RUB", 59.93, 30.36},
  {"Kyiv", "UA", "UAH", 50.45, 30.52},
  // Middle East and Africa
  {"Tel Aviv", "IL", "ILS", 32.09, 34.78},
  {"Dubai", "AE", "AED", 25.20, 55.27},
  {"Abu Dhabi", "AE", "AED", 24.45, 54.38},
  {"Riyadh", "SA", "SAR", 24.71, 46.68},
  {"Jeddah", "SA", "SAR", 21.49, 39.19},
  {"Doha", "QA", "QAR", 25.29, 51.53},
  {"Cairo", "EG", "EGP", 30.04, 31.24},
  {"Casablanca", "MA", "MAD", 33.57, -7.59},
  {"Lagos", "NG", "NGN", 6.52, 3.38},
  {"Accra", "GH", "GHS", 5.60, -0.19},
  {"Addis Ababa", "ET", "ETB", 9.03, 38.74},
  {"Nairobi", "KE", "KES", -1.29, 36.82},
  {"Johannesburg", "ZA", "ZAR", -26.20, 28.05},
  {"Cape Town", "ZA", "ZAR", -33.92, 18.42},
  // Asia
  {"Mumbai", "IN", "INR", 19.08, 72.88},
  {"Delhi", "IN", "INR", 28.70, 77.10},
  {"Bangalore", "IN", "INR", 12.97, 77.59},
  {"Chennai", "IN", "INR", 13.08, 80.27},
  {"Kolkata", "IN", "INR", 22.57, 88.36},
  {"Hyderabad", "IN", "INR", 17.39, 78.49},
  {"Karachi", "PK", "PKR", 24.86, 67.01},
  {"Lahore", "PK", "PKR", 31.55, 74.34},
  {"Dhaka", "BD", "BDT", 23.81, 90.41},
  {"Colombo", "LK", "LKR", 6.93, 79.86},
  {"Beijing", "CN", "CNY", 39.90, 116.41},
  {"Shanghai", "CN", "CNY", 31.23, 121.47},
  {"Guangzhou", "CN", "CNY", 23.13, 113.26},
  {"Shenzhen", "CN", "CNY", 22.54, 114.06},
  {"Chengdu", "CN", "CNY", 30.57, 104.07},
  {"Hong Kong", "HK", "HKD", 22.32, 114.17},
  {"Taipei", "TW", "TWD", 25.03, 121.57},
  {"Tokyo", "JP", "JPY", 35.68, 139.69},
  {"Osaka", "JP", "JPY", 34.69, 135.50},
  {"Kyoto", "JP", "JPY", 35.01, 135.77},
  {"Sapporo", "JP", "JPY", 43.06, 141.35},
  {"Fukuoka", "JP", "JPY", 33.59, 130.40},
  {"Seoul", "KR", "KRW", 37.57, 126.98},
  {"Busan", "KR", "KRW", 35.18, 129.08},
  {"Singapore", "SG", "SGD", 1.35, 103.82},
  {"Kuala Lumpur", "MY", "MYR", 3.14, 101.69},
  {"Bangkok", "TH", "THB", 13.76, 100.50},
  {"Hanoi", "VN", "VND", 21.03, 105.85},
  {"Ho Chi Minh City", "VN", "VND", 10.82, 106.63},
  {"Jakarta", "ID", "IDR", -6.21, 106.85},
  {"Denpasar", "ID", "IDR", -8.65, 115.22},
  {"Manila", "PH", "PHP", 14.60, 120.98},
  // Oceania
  {"Sydney", "AU", "AUD", -33.87, 151.21},
  {"Melbourne", "AU", "AUD", -37.81, 144.96},
  {"Brisbane", "AU", "AUD", -27.47, 153.03},
  {"Perth", "AU", "AUD", -31.95, 115.86},
  {"Adelaide", "AU", "AUD", -34.93, 138.60},
  {"Auckland", "NZ", "NZD", -36.85, 174.76},
  {"Wellington", "NZ", "NZD", -41.29, 174.78},
};

struct rate {
  std::string_view currency;
  double units_per_usd;
};

// Rough mid-2020s levels.
constexpr rate rates[] = {
  {"AED", 3.67},   {"ARS", 900.0}, {"AUD", 1.52},  {"BDT", 110.0},   {"BRL", 5.0},
  {"CAD", 1.36},   {"CHF", 0.88},  {"CLP", 930.0}, {"CNY", 7.2},     {"COP", 3900.0},
  {"CZK", 23.0},   {"DKK", 6.9},   {"EGP", 48.0},  {"ETB", 57.0},    {"EUR", 0.92},
  {"GBP", 0.79},   {"GHS", 14.0},  {"HKD", 7.8},   {"HUF", 360.0},   {"IDR", 16000.0},
  {"ILS", 3.7},    {"INR", 83.0},  {"ISK", 138.0}, {"JPY", 150.0},   {"KES", 130.0},
  {"KRW", 1350.0}, {"LKR", 300.0}, {"MAD", 10.0},  {"MXN", 17.0},    {"MYR", 4.7},
  {"NGN", 1500.0}, {"NOK", 10.6},  {"NZD", 1.65},  {"PEN", 3.75},    {"PHP", 56.0},
  {"PKR", 280.0},  {"PLN", 4.0},   {"QAR", 3.64},  {"RON", 4.6},     {"RUB", 92.0},
  {"SAR", 3.75},   {"SEK", 10.5},  {"SGD", 1.35},  {"THB", 36.0},    {"TRY", 32.0},
  {"TWD", 32.0},   {"UAH", 39.0},  {"USD", 1.0},   {"VND", 25000.0}, {"ZAR", 18.5},
};

constexpr double pi = 3.14159265358979323846;
constexpr double earth_radius_km = 6371.0;

double radians(double degrees) {
  return degrees * pi / 180.0;
}

}  // namespace

std::size_t city_count() {
  return std::size(cities);
}

const city& city_at(std::size_t index) {
  return cities[index];
}

std::int32_t find_city(std::string_view name) {
  // Called for every transaction the fraud detectors see: a hash lookup
  // instead of a binary search of string compares. Built once; magic statics
  // make this safe across threads.
  static const auto by_name = [] {
    absl::flat_hash_map<std::string_view, std::int32_t> idx;
    idx.reserve(std::size(cities));
    for (std::size_t i = 0; i < std::size(cities); ++i)
      idx.emplace(cities[i].name, static_cast<std::int32_t>(i));
    return idx;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? -1 : it->second;
}

double great_circle_km(const city& a, const city& b) {
  auto dlat = radians(b.latitude - a.latitude);
  auto dlon = radians(b.longitude - a.longitude);
  auto h = std::sin(dlat / 2) * std::sin(dlat / 2)
           + std::cos(radians(a.latitude)) * std::cos(radians(b.latitude)) * std::sin(dlon / 2)
               * std::sin(dlon / 2);
  return 2 * earth_radius_km * std::asin(std::min(1.0, std::sqrt(h)));
}

double great_circle_km(std::size_t a, std::size_t b) {
  // 139 cities: 150 KB of doubles, where each distance took two sines,
  // two cosines and an arcsine (a tenth of the detector's time on returning
  // users).
  constexpr auto n = std::size(cities);
  static const auto table = [] {
    std::vector<double> km(n * n);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        km[i * n + j] = great_circle_km(cities[i], cities[j]);
    return km;
  }();
  assert(a < n && b < n);
  return table[a * n + b];
}

double units_per_usd(std::string_view currency) {
  // Per transaction too: the three letters packed into one integer key.
  auto key = [](std::string_view code) {
    std::uint32_t k = 0;
    for (char c : code)
      k = (k << 8) | static_cast<unsigned char>(c);
    return k;
  };
  static const auto by_code = [&] {
    absl::flat_hash_map<std::uint32_t, double> idx;
    idx.reserve(std::size(rates));
    for (const auto& r : rates)
      idx.emplace(key(r.currency), r.units_per_usd);
    return idx;
  }();
  if (currency.size() != 3)
    return 0;
  auto it = by_code.find(key(currency));
  return it == by_code.end() ? 0 : it->second;
}

std::int64_t to_usd_cents(std::int64_t amount_minor, std::string_view currency) {
  auto per_usd = units_per_usd(currency);
  if (per_usd <= 0)
    return amount_minor;
  return static_cast<std::int64_t>(std::llround(static_cast<double>(amount_minor) / per_usd));
}

std::int64_t from_usd_cents(std::int64_t usd_cents, std::string_view currency) {
  auto per_usd = units_per_usd(currency);
  if (per_usd <= 0)
    per_usd = 1;
  auto minor = std::llround(static_cast<double>(usd_cents) * per_usd);
  return std::max<std::int64_t>(1, minor);
}

}  // namespace txstream
