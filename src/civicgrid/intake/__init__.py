"""Intake: importing other systems' case exports (CSV, XLSX) through mapping files."""
