"""The audit ledger: a hash-chained, signed record of every official action."""
