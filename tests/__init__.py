"""DigitLab's tests; a package so that benchmarks can import tests.e2e.app_utils."""
