"""Further applications: Show and Tell captioning, Graves-style text generation, the overview of the lecture's applications."""
