"""Photos residents attach to reports: checked, stripped of EXIF, thumbnailed, stored on disk."""
