#include "CFrameWalker.h"

// The baseline the Swift decoder is measured against: the simplest loop a C programmer would
// write, with no SIMD and no memchr, so the comparison is about per-frame overhead.
cfw_stats cfw_walk(const uint8_t *bytes, size_t count) {
    cfw_stats stats = {0, 0, 0, 0};
    size_t i = 0;
    while (i < count) {
        if (bytes[i] == 0xAA && count - i >= 3) {
            uint8_t high = bytes[i + 1];
            size_t length = (size_t)(high & 0x0F) << 8 | bytes[i + 2];
            if ((high & 0xF0) == 0 && length >= 2 && count - i >= length + 4
                && bytes[i + 3 + length] == 0x55) {
                stats.frames += 1;
                stats.payloadBytes += length;
                stats.payloadIDSum += (uint16_t)(bytes[i + 3] << 8 | bytes[i + 4]);
                i += length + 4;
                continue;
            }
        }
        // Not a frame here: distrust only this byte and rescan from the next one.
        stats.skippedBytes += 1;
        i += 1;
    }
    return stats;
}
