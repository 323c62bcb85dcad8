"""What the commands do, as functions returning data; the commands only parse and print."""
