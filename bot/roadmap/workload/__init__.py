"""What kind of system a review describes: kinds, stack, known events and named problems, read from the answers."""
