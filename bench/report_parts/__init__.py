"""The sections of PERFORMANCE_REPORT.md, one module each, and what they share (bench/report.py
puts them together)."""
