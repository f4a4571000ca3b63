"""The shared counter-based PRNG ("sebench-mix32-v1"), bit-identical to harness/data/prng.ts.

Every value is a pure function of (seed, stream name, index); see harness/data/prng.ts
for the formulas. numpy uint32 arithmetic wraps modulo 2**32 like Math.imul.
"""
import numpy as np

PRNG_ID = "sebench-mix32-v1"
_M32 = 0xFFFFFFFF


def mix32_int(x: int) -> int:
    """lowbias32 on a Python int (scalar path, for keys)."""
    x &= _M32
    x ^= x >> 16
    x = (x * 0x21F0AAAD) & _M32
    x ^= x >> 15
    x = (x * 0x735A2D97) & _M32
    x ^= x >> 15
    return x


def _mix32(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x21F0AAAD)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x735A2D97)
    x = x ^ (x >> np.uint32(15))
    return x


def fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & _M32
    return h


def stream_keys(seed: int, name: str):
    if not (isinstance(seed, int) and 0 <= seed <= _M32):
        raise ValueError(f"PRNG seed must be an integer in [0, 2^32), got {seed!r}")
    k0 = mix32_int(seed ^ fnv1a32(name))
    k1 = mix32_int(k0 + 0x9E3779B9)
    return k0, k1


def bits(seed: int, name: str, count: int, offset: int = 0) -> np.ndarray:
    """Raw uint32 outputs for indices offset .. offset+count-1."""
    k0, k1 = stream_keys(seed, name)
    idx = (np.arange(offset, offset + count, dtype=np.uint64) + np.uint64(k0)) & np.uint64(_M32)
    with np.errstate(over="ignore"):
        x = _mix32(idx.astype(np.uint32))
        x = _mix32(x ^ np.uint32(k1))
    return x


def uniform(count: int, seed: int, name: str, lo: float, hi: float) -> np.ndarray:
    """float32 values in [lo, hi): float32(lo + (hi - lo) * (bits >> 8) / 2**24)."""
    u = (bits(seed, name, count) >> np.uint32(8)).astype(np.float64) * (1.0 / 16777216.0)
    return (lo + (hi - lo) * u).astype(np.float32)
