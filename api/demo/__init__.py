"""The demo county: a deterministic generator and its loader (demo mode only)."""
