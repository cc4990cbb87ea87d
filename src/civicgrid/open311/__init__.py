"""Open311 GeoReport v2: the standard API that any Open311 app and FixMyStreet speak."""
