"""The demo city: New York's boundaries, agencies, deadlines, staff and real 311 cases."""
