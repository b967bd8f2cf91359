#ifndef CFRAMEWALKER_H
#define CFRAMEWALKER_H

#include <stddef.h>
#include <stdint.h>

/// What one walk over a buffer of EDM frames found.
typedef struct {
    /// Well-formed frames (start 0xAA, reserved bits 0, length >= 2, stop 0x55).
    uint64_t frames;
    /// Sum of the frames' payload lengths N (id + body), as in docs/protocol.md, "EDM frames".
    uint64_t payloadBytes;
    /// Bytes outside any frame (junk, false starts, a truncated frame at the end).
    uint64_t skippedBytes;
    /// Wrapping sum of every frame's 16-bit payload id, so the id is really read.
    uint64_t payloadIDSum;
} cfw_stats;

/// Walks `count` bytes at `bytes` with the same rule as EDMStreamDecoder: a 0xAA with clear
/// reserved bits, a length of at least 2 and a 0x55 where the length says the frame ends is a
/// frame; anything else is one skipped byte, and scanning resumes at the next byte.
cfw_stats cfw_walk(const uint8_t *bytes, size_t count);

#endif
