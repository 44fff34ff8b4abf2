"""Planning one stage on the capacity model: choose, size, value, price, order and budget its patterns."""
