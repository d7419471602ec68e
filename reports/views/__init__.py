"""Statistics pages: the dashboards and figure downloads (dashboard), report runs (runs)."""
