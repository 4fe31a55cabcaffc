"""What reaches the console: the budget paid line by line, markers, small runs shown whole, partial
lines and redraws."""
