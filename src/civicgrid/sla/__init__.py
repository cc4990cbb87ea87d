"""Deadlines: working-time calendars, SLA policies, the sweep that warns and escalates."""
