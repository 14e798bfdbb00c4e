"""The graders: one pytest suite per kata, and the harness they share."""
