"""The clustering engine: features, models, metrics, sweep, profiles, projection, cache. No Dash."""
