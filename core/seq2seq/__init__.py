"""The encoder–decoder lesson: tasks and vocabularies (data), the GRU encoder–decoder (model), charts (figures)."""
