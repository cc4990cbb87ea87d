"""Staff accounts: who acts on cases and who supervises areas."""
