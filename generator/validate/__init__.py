"""Validation: JSON Schema for shape, then one small function per rule for meaning."""
