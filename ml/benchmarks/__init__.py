"""Benchmark suites behind ``shoptalk bench``: tables + JSON, ratios against same-run baselines."""
