"""Command-line tools around the graders: the scoreboard and what builds on it."""
