"""The "hello" lesson: a character language model on the slides' example, and its figures."""
