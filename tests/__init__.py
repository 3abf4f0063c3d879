"""DigitLab's tests; a package so that the benchmarks can import its helpers (tests.support)."""
