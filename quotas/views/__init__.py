"""Browser pages of the development plans, one module per concept."""
