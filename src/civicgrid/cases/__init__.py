"""Cases: a reported problem and its lifecycle until fixed, answered and rated."""
