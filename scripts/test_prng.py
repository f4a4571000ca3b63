#!/usr/bin/python3
"""Known vectors of the shared PRNG, Python side (the same numbers are pinned in test/prng.test.ts)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sebench_prng as p  # noqa: E402


class KnownVectors(unittest.TestCase):
    def test_fnv1a32(self):
        self.assertEqual([p.fnv1a32(""), p.fnv1a32("input"), p.fnv1a32("fc1.weight")], [2166136261, 4191711099, 1364330157])

    def test_mix32(self):
        self.assertEqual([p.mix32_int(0), p.mix32_int(1), p.mix32_int(0xFFFFFFFF)], [0, 2261973619, 2578835075])

    def test_bits(self):
        self.assertEqual([int(v) for v in p.bits(0, "input", 4)], [2397201851, 1101334796, 3397964113, 2999151813])

    def test_bits_at_the_end_of_the_counter_with_a_non_ascii_stream(self):
        self.assertEqual([int(v) for v in p.bits(4294967295, "é✓", 2, 4294967294)], [900059891, 1091177349])

    def test_uniform(self):
        got = [float(v) for v in p.uniform(4, 1, "input", -1.0, 3.0)]
        self.assertEqual(got, [1.2601041793823242, 2.2890121936798096, 1.2636809349060059, 2.741652250289917])

    def test_bad_seed(self):
        with self.assertRaises(ValueError):
            p.stream_keys(-1, "x")


if __name__ == "__main__":
    unittest.main()
