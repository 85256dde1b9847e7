// Finding the end of plain JSON string content quickly, shared by the decoder
// (which must stop at quotes, escapes, control and non-ASCII bytes to
// validate them) and the encoder (which must escape or check exactly those).
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace txstream {

/// The first byte at or after p that is a quote, a backslash, a control
/// character or a non-ASCII byte; or the last position from which 16 bytes
/// could no longer be read (callers go on bytewise from there). Scans 16
/// bytes at a time and never reads at or past `end`.
inline const char* skip_plain_ascii(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    auto v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches both
    // control characters and non-ASCII bytes.
    auto special = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
      _mm_cmplt_epi8(v, space));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0)
      return p + __builtin_ctz(mask);
    p += 16;
  }
#else
  (void)end;
#endif
  return p;
}

}  // namespace txstream
