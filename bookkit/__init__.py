"""Build machinery of the book (not imported by chapters): assignments export and grading."""
